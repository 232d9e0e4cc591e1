package io.tracearr.analytics.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs one browser spec ({@code src/test/browser/<name>.spec.mjs}) in Debian's headless Chromium,
 * driven by npm playwright-core, against a running node. The spec gets {@code BASE_URL}, {@code
 * ADMIN_KEY}, {@code CHROMIUM} and {@code SCREENSHOT_DIR} (plus any extra variables) and exits 0
 * when every check passed. Fails, never skips, when Chromium or Node.js is missing: CI installs
 * both.
 */
public final class BrowserSpec {

  public static final Path BROWSER_DIR = Path.of("src", "test", "browser");

  private BrowserSpec() {}

  /** Runs {@code spec} against {@code node}; fails the test with the spec's transcript. */
  public static void run(TestNode node, String spec, Map<String, String> extraEnv)
      throws Exception {
    String chromium =
        executable("chromium")
            .orElseGet(
                () ->
                    fail(
                        "chromium is not installed (apt-get install -y chromium chromium-driver)"));
    String nodeJs =
        executable("node")
            .orElseGet(() -> fail("Node.js is not installed (apt-get install -y nodejs npm)"));
    installDriver();
    String name = spec.replace(".spec.mjs", "");
    Path log = Path.of("target", name + "-browser.log");
    Files.createDirectories(log.getParent());
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
      ProcessBuilder pb =
          new ProcessBuilder(nodeJs, BROWSER_DIR.resolve(spec).toString())
              .redirectErrorStream(true);
      pb.environment().put("BASE_URL", "http://127.0.0.1:" + node.port());
      pb.environment().put("ADMIN_KEY", TestNode.ADMIN_KEY);
      pb.environment().put("CHROMIUM", chromium);
      pb.environment().put("SCREENSHOT_DIR", "target");
      pb.environment().putAll(extraEnv);
      Process p = pb.start();
      StringBuilder transcript = new StringBuilder();
      p.getOutputStream().close();
      Thread reader = new Thread(() -> echo(p, out, transcript), name + "-spec-output");
      reader.start();
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("the browser test " + spec + " did not finish in 180 s:\n" + transcript);
      }
      reader.join(10_000);
      assertEquals(0, p.exitValue(), "the browser test " + spec + " failed:\n" + transcript);
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

  private static synchronized void installDriver() throws Exception {
    Path modules = BROWSER_DIR.resolve("node_modules");
    // every package of package.json (playwright-core, axe-core): an older install gets the new ones
    if (Files.isDirectory(modules.resolve("playwright-core"))
        && Files.isDirectory(modules.resolve("axe-core"))) return;
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
