package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser: Debian's headless Chromium driven by npm playwright-core ({@code
 * src/test/browser/dashboard.spec.mjs}) against a real node with the GeoIP fixture, so the sharing
 * alert it shows comes from the real detector. Fails, never skips, when Chromium or Node.js is
 * missing: CI installs both.
 */
class DashboardBrowserTest {

  static final Path BROWSER_DIR = Path.of("src", "test", "browser");

  @Test
  void signInWatchSessionsAndAlertsArriveDismissAndSeeTheChart() throws Exception {
    String chromium =
        executable("chromium")
            .orElseGet(
                () ->
                    fail(
                        "chromium is not installed (apt-get install -y chromium chromium-driver)"));
    String node =
        executable("node")
            .orElseGet(() -> fail("Node.js is not installed (apt-get install -y nodejs npm)"));
    installDriver();
    Path log = Path.of("target", "dashboard-browser.log");
    Files.createDirectories(log.getParent());

    JsonObject withGeoIp =
        new JsonObject()
            .put(
                "analytics",
                new JsonObject()
                    .put(
                        "geoip_db_path",
                        Path.of("src", "test", "resources", "geoip", "GeoIP2-City-Test.mmdb")
                            .toAbsolutePath()
                            .toString()));
    try (TestNode n = TestNode.start(withGeoIp);
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
      ProcessBuilder pb =
          new ProcessBuilder(node, BROWSER_DIR.resolve("dashboard.spec.mjs").toString())
              .redirectErrorStream(true);
      pb.environment().put("BASE_URL", "http://127.0.0.1:" + n.port());
      pb.environment().put("ADMIN_KEY", TestNode.ADMIN_KEY);
      pb.environment().put("CHROMIUM", chromium);
      pb.environment().put("SCREENSHOT_DIR", "target");
      Process p = pb.start();
      StringBuilder transcript = new StringBuilder();
      p.getOutputStream().close();
      Thread reader = new Thread(() -> echo(p, out, transcript), "dashboard-spec-output");
      reader.start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("the browser test did not finish in 180 s:\n" + transcript);
      }
      reader.join(10_000);
      assertEquals(0, p.exitValue(), "the browser test failed:\n" + transcript);
      assertTrue(Files.size(Path.of("target", "dashboard.png")) > 10_000, "a screenshot was saved");
    }
  }

  /** Echoes the spec's output to the test log and keeps it for the failure message. */
  private static void echo(Process p, PrintWriter log, StringBuilder transcript) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (transcript) {
          transcript.append(line).append('\n');
        }
        log.println(line);
        log.flush();
        System.out.println(line);
      }
    } catch (Exception e) {
      synchronized (transcript) {
        transcript.append("harness: ").append(e).append('\n');
      }
    }
  }

  private static void installDriver() throws Exception {
    if (Files.isDirectory(BROWSER_DIR.resolve("node_modules").resolve("playwright-core"))) return;
    String npm =
        executable("npm").orElseGet(() -> fail("npm is not installed (apt-get install -y npm)"));
    Process p =
        new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund", "--prefix", BROWSER_DIR.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "npm ci did not finish");
    assertEquals(0, p.exitValue(), "npm ci failed:\n" + output);
  }

  private static Optional<String> executable(String name) {
    for (String dir :
        System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) return Optional.of(candidate.toString());
    }
    return Optional.empty();
  }
}
