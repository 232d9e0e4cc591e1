package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.AuditLog;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's audit log covers the importer's admin actions: an upload and a cancel are recorded
 * with the actor and the import they made or stopped, and a non-admin's upload, refused before its
 * body is read, is recorded as forbidden.
 */
class ImportAuditTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  @TempDir static Path dir;

  private static MultipartForm tautulli() {
    Path file = dir.resolve(ImportFixtures.TAUTULLI);
    if (!Files.exists(file)) ImportFixtures.copy(ImportFixtures.TAUTULLI, dir);
    return MultipartForm.create()
        .attribute("source", "tautulli")
        .binaryFileUpload("file", "tautulli.db", file.toString(), "application/octet-stream");
  }

  @Test
  void anUploadIsAuditedWithItsActorAndImportAndARefusedUploadAsForbidden() {
    HttpResponse<Buffer> created = ImportFixtures.send(node, tautulli(), TestNode.ADMIN_KEY);
    assertEquals(202, created.statusCode(), created.bodyAsString());
    String id = created.bodyAsJsonObject().getString("id");
    Await.until(
        Duration.ofSeconds(10),
        "the upload in the audit log",
        () ->
            AuditLog.entries(node, "createImport").stream()
                .anyMatch(
                    e ->
                        "ok".equals(e.getString("result"))
                            && e.getString("actor").startsWith("api-key:admin")
                            && e.getInteger("status") == 202
                            && id.equals(e.getJsonObject("after").getString("id"))
                            && "tautulli".equals(e.getJsonObject("after").getString("source"))
                            && "tautulli.db"
                                .equals(e.getJsonObject("after").getString("file_name"))));

    long imports = node.count("SELECT count(*) FROM imports");
    HttpResponse<Buffer> viewer = ImportFixtures.send(node, tautulli(), TestNode.VIEWER_KEY);
    assertEquals(403, viewer.statusCode(), viewer.bodyAsString());
    assertEquals(imports, node.count("SELECT count(*) FROM imports"));
    Await.until(
        Duration.ofSeconds(10),
        "the refused upload in the audit log",
        () ->
            AuditLog.entries(node, "createImport").stream()
                .anyMatch(
                    e ->
                        "forbidden".equals(e.getString("result"))
                            && e.getInteger("status") == 403
                            && e.getString("actor").startsWith("api-key:viewer")));
  }

  @Test
  void aCancelIsAuditedWithItsActorAndTheCancelledImport() {
    // queued on another node (its upload is there): this node's housekeeping never claims it
    UUID id = UUID.randomUUID();
    node.sql(
        "INSERT INTO imports (id, source, file_name, file_bytes, file_path, node_id, progress_at) "
            + "VALUES ('"
            + id
            + "', 'jellystat', 'backup.json', 10, '/elsewhere/backup.json', 'another-node', now())");
    HttpResponse<Buffer> cancelled =
        node.delete("/api/v1/analytics/imports/" + id, TestNode.ADMIN_KEY, null);
    assertEquals(200, cancelled.statusCode(), cancelled.bodyAsString());
    assertEquals("cancelled", cancelled.bodyAsJsonObject().getString("status"));

    Await.until(
        Duration.ofSeconds(10),
        "the cancel in the audit log",
        () ->
            AuditLog.entries(node, "cancelImport").stream()
                .anyMatch(
                    e -> {
                      JsonObject after = e.getJsonObject("after");
                      return "ok".equals(e.getString("result"))
                          && e.getString("actor").startsWith("api-key:admin")
                          && e.getString("target").endsWith("/imports/" + id)
                          && id.toString().equals(after.getString("id"))
                          && "cancelled".equals(after.getString("status"))
                          && "jellystat".equals(after.getString("source"));
                    }));
  }
}
