package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.multipart.MultipartForm;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code imports.max_upload_mb}: a larger upload is refused with 413 and leaves no import and no
 * file behind.
 */
class ImportUploadLimitTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject().put("imports", new JsonObject().put("max_upload_mb", 1)));

  static final TestNode node = nodes.node();

  @Test
  void anUploadOverTheLimitIs413AndLeavesNothing(@TempDir Path dir) throws Exception {
    Path big = Files.write(dir.resolve("tautulli.db"), new byte[2 * 1024 * 1024]);
    HttpResponse<Buffer> r =
        ImportFixtures.send(
            node,
            MultipartForm.create()
                .attribute("source", "tautulli")
                .binaryFileUpload(
                    "file", "tautulli.db", big.toString(), "application/octet-stream"),
            TestNode.ADMIN_KEY);
    assertEquals(413, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    assertEquals(0, node.count("SELECT count(*) FROM imports"));
    Path uploads = node.app().node().config().dataDir().resolve("imports");
    try (var files = Files.list(uploads)) {
      assertEquals(0, files.count(), "no upload is left on disk");
    }
  }
}
