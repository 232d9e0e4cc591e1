package io.tracearr.analytics.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every scenario needs: where the service is, its keys, the sizes of this run, the tools and a
 * client Vert.x.
 */
final class Bench implements AutoCloseable {

  /** Sizes and durations; {@code --quick} shrinks every scenario to seconds. */
  record Sizes(
      boolean quick,
      int heartbeatSessions,
      int warmupSeconds,
      int seconds,
      int alertIterations,
      double alertBackgroundRate,
      int fanoutDashboards,
      int fanoutStalled,
      double fanoutEventsPerSecond,
      int fanoutSeconds,
      int generatedSessions,
      int memorySessions,
      int memoryDashboards,
      int memorySeconds) {

    static Sizes of(boolean quick) {
      return quick
          ? new Sizes(true, 1_000, 1, 3, 15, 5_000, 100, 5, 200, 5, 100_000, 2_000, 100, 5)
          : new Sizes(
              false,
              10_000,
              5,
              20,
              200,
              5_000,
              1_000,
              50,
              1_000,
              30,
              10_000_000,
              50_000,
              1_000,
              60);
    }
  }

  final Sizes sizes;
  final String host = "127.0.0.1";
  final int port;
  final int barePort;
  final int pgPort;
  final long pid;
  final Path out;
  final Path benchDir;
  final String adminKey;
  final String ingestKey;
  final String viewerKey;
  final Processes tools;
  final Vertx vertx;
  final HttpLoad http;
  private final HttpClient control =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  Bench(Map<String, String> opts, Map<String, String> env) throws IOException {
    this.sizes = Sizes.of(opts.containsKey("quick"));
    this.port = Integer.parseInt(opts.get("port"));
    this.barePort = Integer.parseInt(opts.get("bare-port"));
    this.pgPort = Integer.parseInt(opts.get("pg-port"));
    this.pid = Long.parseLong(opts.get("pid"));
    this.out = Path.of(opts.getOrDefault("out", "target/bench"));
    this.benchDir = Path.of(opts.getOrDefault("bench-dir", "bench"));
    this.adminKey = env.get("BENCH_ADMIN_KEY");
    this.ingestKey = env.get("BENCH_INGEST_KEY");
    this.viewerKey = env.get("BENCH_VIEWER_KEY");
    this.tools = new Processes(out.resolve("raw"));
    this.vertx =
        Vertx.vertx(
            new VertxOptions().setEventLoopPoolSize(2).setBlockedThreadCheckInterval(60_000));
    this.http = new HttpLoad(vertx, host, port, 64);
  }

  Path results() {
    return out.resolve("results");
  }

  // ---- control calls (few, blocking)
  // ----------------------------------------------------------------------

  HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
    return get(path, token, Duration.ofSeconds(30));
  }

  HttpResponse<String> get(String path, String token, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path)).timeout(timeout);
    if (token != null) b.header("Authorization", "Bearer " + token);
    return control.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> postBare(String path, Duration timeout)
      throws IOException, InterruptedException {
    return control.send(
        HttpRequest.newBuilder(URI.create("http://" + host + ":" + barePort + path))
            .timeout(timeout)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Whether a route exists: anything but 404 (a WebSocket route answers 400 to a plain GET). */
  boolean routeExists(String path, String token) throws IOException, InterruptedException {
    return get(path, token).statusCode() != 404;
  }

  static <T> T await(Future<T> f, long seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  static void waitFor(String what, long seconds, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline)
        throw new IllegalStateException("timed out after " + seconds + " s waiting for " + what);
      Thread.sleep(50);
    }
  }

  /**
   * Starts {@code n} sessions of {@code group} over REST, 64 at a time; returns how many were
   * created (201/200).
   */
  int startSessions(int group, int n) throws Exception {
    int created =
        await(
            http.forEach(
                n,
                64,
                i ->
                    http.call(
                        HttpMethod.POST,
                        "/api/v1/analytics/sessions",
                        ingestKey,
                        Ids.start(Ids.session(group, i), Ids.user(group, i), i).toBuffer())),
            600);
    if (created < n)
      throw new IllegalStateException(
          "only " + created + " of " + n + " sessions could be started");
    return created;
  }

  // ---- wrk
  // -------------------------------------------------------------------------------------------------

  /**
   * wrk's figures, from the {@code done()} hook of every script under bench/ (see
   * bench/wrk_report.lua).
   */
  record Wrk(
      long requests,
      double seconds,
      long non2xx,
      long socketErrors,
      double meanMs,
      double p50Ms,
      double p90Ms,
      double p99Ms,
      double maxMs) {
    double rate() {
      return requests / seconds;
    }

    double errorShare() {
      return requests == 0 ? 1 : (non2xx + socketErrors) / (double) requests;
    }
  }

  Wrk wrk(
      String name,
      String script,
      int targetPort,
      int connections,
      int seconds,
      Map<String, String> env)
      throws Exception {
    Path json = tools.raw(name + ".json");
    Files.deleteIfExists(json);
    Map<String, String> e = new HashMap<>(env);
    e.put("WRK_OUT", json.toAbsolutePath().toString());
    e.put("BENCH_DIR", benchDir.toAbsolutePath().toString());
    List<String> cmd =
        List.of(
            "wrk",
            "-t2",
            "-c" + connections,
            "-d" + seconds + "s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            benchDir.resolve(script).toString(),
            "http://" + host + ":" + targetPort);
    tools.run(name, cmd, e, Duration.ofSeconds(seconds + 60), null).requireSuccess("wrk " + name);
    if (!Files.exists(json))
      throw new IllegalStateException(
          "wrk " + name + " wrote no report (is " + script + " intact?)");
    JsonObject j = new JsonObject(Files.readString(json));
    JsonObject lat = j.getJsonObject("latency_us");
    JsonObject err = j.getJsonObject("errors");
    long socketErrors =
        err.getLong("connect")
            + err.getLong("read")
            + err.getLong("write")
            + err.getLong("timeout");
    return new Wrk(
        j.getLong("requests"),
        j.getLong("duration_us") / 1e6,
        err.getLong("status"),
        socketErrors,
        lat.getDouble("mean") / 1000,
        lat.getLong("p50") / 1000.0,
        lat.getLong("p90") / 1000.0,
        lat.getLong("p99") / 1000.0,
        lat.getLong("max") / 1000.0);
  }

  // ---- PostgreSQL
  // ------------------------------------------------------------------------------------------

  Map<String, String> pgEnv() {
    return Map.of("PGPASSWORD", "postgres", "PGCONNECT_TIMEOUT", "10");
  }

  List<String> psqlCommand(String... extra) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "psql",
                "-h",
                host,
                "-p",
                String.valueOf(pgPort),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1"));
    cmd.addAll(List.of(extra));
    return cmd;
  }

  /** Runs SQL through psql; returns its stdout (unaligned, tuples only). */
  String psql(String name, String sql, Duration timeout) throws Exception {
    return tools
        .run(name, psqlCommand("-A", "-t"), pgEnv(), timeout, sql)
        .requireSuccess("psql " + name)
        .stdout()
        .strip();
  }

  private static final Pattern TIMING = Pattern.compile("Time: ([0-9.]+) ms");

  /**
   * Runs {@code sql} with {@code \timing}; returns the server-side elapsed time psql reports, in
   * ms.
   */
  double psqlTimed(String name, String sql, Duration timeout) throws Exception {
    String out =
        tools
            .run(
                name,
                psqlCommand("-A", "-t"),
                pgEnv(),
                timeout,
                "\\timing on\n\\o /dev/null\n" + sql + "\n")
            .requireSuccess("psql " + name)
            .stdout();
    Matcher m = TIMING.matcher(out);
    double last = -1;
    while (m.find()) last = Double.parseDouble(m.group(1));
    if (last < 0)
      throw new IllegalStateException(
          "psql " + name + " printed no timing: " + Processes.tail(out));
    return last;
  }

  /**
   * Sessions a previous phase left open (another process's registry owned them) are ended in SQL,
   * so that snapshots and the registry of this process start from nothing.
   */
  void endLeftoverSessions() throws Exception {
    psql(
        "end-leftovers",
        """
        UPDATE playback_sessions SET status = 'ended', ended_reason = 'admin',
          ended_at = GREATEST(last_heartbeat_at, started_at)
        WHERE ended_at IS NULL;
        """,
        Duration.ofMinutes(5));
  }

  // ---- the service process
  // ------------------------------------------------------------------------------------

  /** Resident set size of the service JVM (VmRSS) and its peak (VmHWM), in MB. */
  double[] rssMb() throws IOException {
    double rss = -1;
    double hwm = -1;
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) rss = kb(line) / 1024.0;
      if (line.startsWith("VmHWM:")) hwm = kb(line) / 1024.0;
    }
    return new double[] {rss, hwm};
  }

  private static long kb(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  /**
   * CPU seconds the service JVM has used (utime + stime of /proc/&lt;pid&gt;/stat), and the
   * machine's busy and total jiffies.
   */
  double[] cpuSample() {
    try {
      return cpuSampleOrFail();
    } catch (IOException | RuntimeException gone) {
      return new double[] {Double.NaN, Double.NaN, Double.NaN, System.nanoTime() / 1e9};
    }
  }

  private double[] cpuSampleOrFail() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    double serviceSeconds = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
    String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < cpu.length; i++) total += Long.parseLong(cpu[i]);
    long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
    return new double[] {serviceSeconds, total - idle, total, System.nanoTime() / 1e9};
  }

  /**
   * Heap in use right after a full GC ({@code jcmd GC.run}), read from the service's own /metrics.
   */
  double heapAfterGcMb() throws Exception {
    tools
        .run(
            "jcmd-gc",
            List.of("jcmd", String.valueOf(pid), "GC.run"),
            Map.of(),
            Duration.ofSeconds(60),
            null)
        .requireSuccess("jcmd GC.run");
    return metricSum("jvm_memory_used_bytes", "area=\"heap\"") / (1024.0 * 1024.0);
  }

  /** A counter the service registers on first use: absent means nothing was counted yet. */
  double counter(String name) throws Exception {
    double v = metricSum(name, null);
    return Double.isNaN(v) ? 0 : v;
  }

  /** The sum of a Prometheus metric's series whose labels contain {@code labelFilter}. */
  double metricSum(String name, String labelFilter) throws Exception {
    String text = get("/metrics", null).body();
    double sum = 0;
    boolean found = false;
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        if (labelFilter != null && !line.contains(labelFilter)) continue;
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : Double.NaN;
  }

  @Override
  public void close() throws Exception {
    await(http.close().transform(ar -> vertx.close()), 30);
  }
}
