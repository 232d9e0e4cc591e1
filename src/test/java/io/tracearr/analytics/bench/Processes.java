package io.tracearr.analytics.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * External tools of the harness (wrk, pgbench, psql, jcmd), each bounded in time, output kept under
 * raw/.
 */
final class Processes {

  record Outcome(int exitCode, String stdout, String stderr) {
    Outcome requireSuccess(String what) {
      if (exitCode != 0) {
        throw new IllegalStateException(
            what + " exited with " + exitCode + ": " + tail(stderr.isBlank() ? stdout : stderr));
      }
      return this;
    }
  }

  private final Path rawDir;

  Processes(Path rawDir) throws IOException {
    this.rawDir = Files.createDirectories(rawDir);
  }

  /**
   * Runs {@code command}, kills it past {@code timeout}; stdout and stderr are also written to
   * raw/{@code name}.*.
   */
  Outcome run(
      String name, List<String> command, Map<String, String> env, Duration timeout, String stdin)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().putAll(env);
    Path out = rawDir.resolve(name + ".out");
    Path err = rawDir.resolve(name + ".err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    if (stdin == null)
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    if (stdin != null) {
      try (var w = p.getOutputStream()) {
        w.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new IllegalStateException(
          name + " (" + command.get(0) + ") did not finish within " + timeout.toSeconds() + " s");
    }
    return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  Path raw(String name) {
    return rawDir.resolve(name);
  }

  static String tail(String s) {
    String t = s.strip();
    return t.length() <= 600 ? t : "…" + t.substring(t.length() - 600);
  }
}
