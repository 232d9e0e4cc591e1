package io.tracearr.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's Quickstart block, run as written with bash and curl against a node: the admin key
 * comes from data/admin-api-key (a temporary directory holding the test node's key), localhost:8080
 * is the node's port.
 */
class ReadmeQuickstartTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  static String quickstartBlock() throws Exception {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int section = readme.indexOf("\n## Quickstart\n");
    assertTrue(section >= 0, "README has a Quickstart section");
    int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
    return readme.substring(start, readme.indexOf("```", start));
  }

  @Test
  void quickstartStartsHeartbeatsAndEndsASession() throws Exception {
    Path dir = Files.createTempDirectory("quickstart");
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(dir.resolve("data/admin-api-key"), TestNode.ADMIN_KEY + "\n");
    String script =
        "set -euo pipefail\n"
            + quickstartBlock().replace("localhost:8080", "127.0.0.1:" + node.port());
    Process p =
        new ProcessBuilder("bash", "-c", script)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the quickstart finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println("quickstart output:\n" + out);
    assertEquals(0, p.exitValue(), out);
    // two JSON documents: the started session and the ended one
    String[] docs = out.lines().filter(l -> !l.isBlank()).toArray(String[]::new);
    JsonObject started = new JsonObject(docs[0]);
    JsonObject ended = new JsonObject(docs[docs.length - 1]);
    assertEquals(started.getString("id"), ended.getString("id"));
    assertEquals("playing", started.getString("status"));
    assertEquals("ended", ended.getString("status"));
    assertEquals("client", ended.getString("ended_reason"));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE id = '" + ended.getString("id") + "'"));
  }
}
