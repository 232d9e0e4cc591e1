package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The fixtures of src/test/resources/importer, built by scripts/make-import-fixtures.py from each
 * source's real schema. Tests read a copy in their own temp dir, so a reader that wrote (it must
 * not) could not change the committed file, and the copy can be checked byte for byte afterwards.
 */
final class ImportFixtures {

  static final String TAUTULLI = "tautulli.db";
  static final String JELLYSTAT = "jellystat-backup.json";
  static final String PLAYBACK_REPORTING = "playback_reporting.db";

  private ImportFixtures() {}

  static Path copy(String name, Path dir) {
    try (InputStream in = ImportFixtures.class.getResourceAsStream("/importer/" + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "missing fixture " + name + ": run scripts/make-import-fixtures.py");
      }
      Path target = dir.resolve(name);
      Files.copy(in, target);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Posts {@code form} to the imports route of {@code node} (a multipart upload). */
  static HttpResponse<Buffer> send(TestNode node, MultipartForm form, String token) {
    return TestNode.await(
        node.client()
            .post("/api/v1/analytics/imports")
            .timeout(60_000)
            .putHeader("Authorization", "Bearer " + token)
            .sendMultipartForm(form));
  }

  /**
   * Uploads a copy of {@code fixture} (into {@code dir}) as an import of {@code source} and waits
   * for it to complete (committed and rolled up); a failed or cancelled import fails the test.
   * Returns the import's id.
   */
  static String importCompleted(TestNode node, Path dir, String source, String fixture) {
    copy(fixture, dir);
    MultipartForm form =
        MultipartForm.create()
            .attribute("source", source)
            .binaryFileUpload(
                "file", fixture, dir.resolve(fixture).toString(), "application/octet-stream");
    HttpResponse<Buffer> r = send(node, form, TestNode.ADMIN_KEY);
    assertEquals(202, r.statusCode(), r.bodyAsString());
    String id = r.bodyAsJsonObject().getString("id");
    Await.until(
        Duration.ofMinutes(3),
        "import " + id + " completed",
        () -> {
          JsonObject job =
              node.get("/api/v1/analytics/imports/" + id, TestNode.ADMIN_KEY).bodyAsJsonObject();
          String status = job.getString("status");
          if (status.equals("failed") || status.equals("cancelled"))
            throw new AssertionError("import " + status + ": " + job.encode());
          return status.equals("completed");
        });
    return id;
  }

  /** One day's figures as {@code stats/daily} answers them (a 200 with one item). */
  static JsonObject day(TestNode node, String date) {
    io.vertx.core.json.JsonArray items = node.daily(date, date, TestNode.ADMIN_KEY);
    assertEquals(1, items.size(), items::encode);
    return items.getJsonObject(0);
  }

  static byte[] bytes(String name) {
    try (InputStream in = ImportFixtures.class.getResourceAsStream("/importer/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
