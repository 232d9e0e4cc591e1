package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * http.tls.cert_path/key_path: the API port speaks HTTPS only, with a self-signed certificate made
 * here.
 */
class TlsTest {

  static final Path DIR = selfSigned();

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "http",
                  new JsonObject()
                      .put(
                          "tls",
                          new JsonObject()
                              .put("cert_path", DIR.resolve("cert.pem").toString())
                              .put("key_path", DIR.resolve("key.pem").toString()))));

  static final TestNode node = nodes.node();

  /**
   * openssl is on the build machines (CI image, developers'); the JDK's keytool cannot export a
   * private key as PEM.
   */
  static Path selfSigned() {
    try {
      Path dir = Files.createTempDirectory("tracearr-tls");
      Process p =
          new ProcessBuilder(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "rsa:2048",
                  "-nodes",
                  "-days",
                  "1",
                  "-subj",
                  "/CN=localhost",
                  "-keyout",
                  dir.resolve("key.pem").toString(),
                  "-out",
                  dir.resolve("cert.pem").toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("openssl.log").toFile())
              .start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(
            "openssl failed: " + Files.readString(dir.resolve("openssl.log")));
      }
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(
          "making a self-signed certificate needs openssl on the PATH", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void httpsServesAndPlainHttpIsRefused() {
    WebClient https =
        WebClient.create(
            node.clientVertx(),
            new WebClientOptions()
                .setSsl(true)
                .setTrustAll(true)
                .setVerifyHost(false)
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(node.port()));
    var live = TestNode.await(https.get("/health/live").timeout(10_000).send());
    assertEquals(200, live.statusCode(), live.bodyAsString());
    assertEquals(
        200,
        TestNode.await(
                https
                    .get("/api/v1/analytics/sharing/alerts")
                    .timeout(10_000)
                    .putHeader("Authorization", "Bearer " + TestNode.VIEWER_KEY)
                    .send())
            .statusCode());

    WebClient plain =
        WebClient.create(
            node.clientVertx(),
            new WebClientOptions()
                .setDefaultHost("127.0.0.1")
                .setDefaultPort(node.port())
                .setKeepAlive(false));
    var attempt =
        plain.get("/health/live").timeout(10_000).send().toCompletionStage().toCompletableFuture();
    try {
      var r = attempt.get(15, TimeUnit.SECONDS);
      throw new AssertionError("plain HTTP was answered: " + r.statusCode());
    } catch (java.util.concurrent.ExecutionException expected) {
      assertTrue(expected.getCause() != null);
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }
}
