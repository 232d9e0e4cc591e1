package io.tracearr.analytics.testing;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node as operators run it: {@code java -jar} of the packaged jar in its own process,
 * configured by environment variables, its stdout/stderr in a log file. Requests go through a
 * caller's {@link WebClient}.
 */
public final class JarNode implements AutoCloseable {

  private final String name;
  private final Process process;
  private final int httpPort;
  private final Path log;
  private final WebClient client;

  private JarNode(String name, Process process, int httpPort, Path log, WebClient client) {
    this.name = name;
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
    this.client = client;
  }

  /**
   * Starts {@code java -jar jar} with exactly {@code env} as its ANALYTICS_* settings (inherited
   * ones are dropped) and a working directory of its own, so the packaged defaults and cluster.xml
   * are the ones used.
   */
  public static JarNode start(
      String name, Path jar, Map<String, String> env, Path workDir, Path log, WebClient client)
      throws IOException {
    Files.createDirectories(workDir);
    Files.createDirectories(log.getParent());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // small and quick to start: three of these share a CI machine with the test JVM and
                // PostgreSQL
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xss512k",
                // a member given without a port is looked for on the cluster port and the next few:
                // 3 by default, more
                // here, so that nodes which auto-incremented past ports taken by other runs still
                // find each other
                "-Dhazelcast.tcp.join.port.try.count=20",
                "-jar",
                jar.toAbsolutePath().toString()));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("ANALYTICS_"));
    pb.environment().putAll(env);
    Process process = pb.start();
    return new JarNode(
        name, process, awaitServingPort(process, log, Duration.ofSeconds(90)), log, client);
  }

  private static final Pattern SERVING = Pattern.compile("serving on http://[^:/\\s]+:(\\d+)");

  /**
   * The HTTP port a node started with {@code http.port 0} got, read from the line it logs once it
   * serves ({@code serving on http://host:port}); fails early if the process died first.
   */
  public static int awaitServingPort(Process process, Path log, Duration timeout) {
    AtomicInteger port = new AtomicInteger();
    Await.until(
        timeout,
        "the node's 'serving on' line in " + log,
        () -> {
          if (!process.isAlive())
            throw new AssertionError(
                "the node exited with " + process.exitValue() + "; see " + log);
          try {
            Matcher m = SERVING.matcher(Files.readString(log));
            if (!m.find()) return false;
            port.set(Integer.parseInt(m.group(1)));
            return true;
          } catch (IOException | java.io.UncheckedIOException e) {
            return false;
          }
        });
    return port.get();
  }

  public String name() {
    return name;
  }

  public int httpPort() {
    return httpPort;
  }

  public boolean alive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /**
   * {@code /health/ready} as JSON with its status code under {@code "http_status"}; null when it
   * does not answer.
   */
  public JsonObject ready() {
    try {
      HttpResponse<Buffer> r =
          send(HttpMethod.GET, "/health/ready", null, null, Duration.ofSeconds(5));
      JsonObject body = r.bodyAsJsonObject();
      return body.put("http_status", r.statusCode());
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Waits until the node is ready with {@code members} cluster members; fails early if the process
   * died.
   */
  public void awaitReady(int members, Duration timeout) {
    AtomicReference<JsonObject> last = new AtomicReference<>();
    try {
      Await.until(
          timeout,
          name + " ready with " + members + " members",
          () -> {
            if (!process.isAlive()) {
              throw new AssertionError(
                  name
                      + " exited with "
                      + process.exitValue()
                      + " before it was ready; see "
                      + log);
            }
            JsonObject r = ready();
            last.set(r);
            return r != null
                && r.getInteger("http_status") == 200
                && r.getJsonObject("checks").getJsonObject("cluster").getInteger("members")
                    == members;
          });
    } catch (AssertionError e) {
      if (!process.isAlive()) throw e;
      throw new AssertionError(
          name
              + " not ready with "
              + members
              + " members after "
              + timeout
              + ": "
              + last.get()
              + "; see "
              + log);
    }
  }

  public String nodeId() {
    JsonObject r = ready();
    if (r == null) throw new AssertionError(name + " does not answer /health/ready");
    return r.getJsonObject("checks").getJsonObject("cluster").getString("node_id");
  }

  public HttpResponse<Buffer> send(
      HttpMethod method, String path, String token, JsonObject body, Duration timeout) {
    var req = client.request(method, httpPort, "127.0.0.1", path).timeout(timeout.toMillis());
    if (token != null) req.putHeader("Authorization", "Bearer " + token);
    return TestNode.await(body == null ? req.send() : req.sendJsonObject(body));
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, String token, JsonObject body) {
    return send(method, path, token, body, Duration.ofSeconds(15));
  }

  /** {@code kill -9}: no shutdown hook runs, nothing is flushed, the cluster is not told. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, then SIGKILL if it has not gone within 20 s. */
  @Override
  public void close() {
    if (!process.isAlive()) return;
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }
}
