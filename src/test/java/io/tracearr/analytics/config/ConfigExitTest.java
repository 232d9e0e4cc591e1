package io.tracearr.analytics.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The real process: an invalid setting stops it with exit code 2 and one line, no stack trace. */
class ConfigExitTest {

  static Stream<Arguments> cases() throws Exception {
    Path badYaml = Files.createTempFile("bad", ".yaml");
    Files.writeString(badYaml, "analytics:\n  retention_days: -1\n");
    return Stream.of(
        Arguments.of(
            "retention_days -1 in a config file",
            Map.of("ANALYTICS_CONFIG", badYaml.toString()),
            "analytics.retention_days = -1"),
        Arguments.of(
            "port abc",
            Map.of("ANALYTICS_HTTP_PORT", "abc"),
            "http.port (ANALYTICS_HTTP_PORT) = \"abc\""),
        Arguments.of(
            "unreadable config file",
            Map.of("ANALYTICS_CONFIG", "/nonexistent/app.yaml"),
            "ANALYTICS_CONFIG = \"/nonexistent/app.yaml\" (a readable yaml file)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void exitsWithOneLineNamingTheKey(String name, Map<String, String> env, String expected)
      throws Exception {
    Path dir = Files.createTempDirectory("cfg-exit");
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.tracearr.analytics.Application"))
            .directory(dir.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ANALYTICS_"));
    pb.environment().putAll(env);
    pb.environment().put("ANALYTICS_DATA_DIR", dir.resolve("data").toString());
    Process p = pb.start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "process exits");
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(2, p.exitValue(), err);
    assertEquals(1, err.lines().count(), "exactly one line: " + err);
    assertTrue(err.contains(expected), err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace: " + err);
    assertFalse(Files.exists(dir.resolve("data").resolve("postgres")), "nothing started");
  }
}
