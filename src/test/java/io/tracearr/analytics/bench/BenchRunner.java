package io.tracearr.analytics.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Java side of {@code bench/run}: runs the scenarios of one phase against a running service and
 * writes {@code results/s<id>.json}; {@code report} turns them into report.md / report.json. Each
 * phase gets a freshly started service (bench/run restarts it), so one phase's leftovers do not
 * weigh on the next one's figures.
 *
 * <pre>
 *   BenchRunner phase http|fanout|memory|data|notify|import|retention|media --port P --bare-port B --pg-port G --pid N [--quick] [--out DIR]
 *   BenchRunner report [--quick] [--out DIR]
 * </pre>
 *
 * Keys come from BENCH_ADMIN_KEY, BENCH_INGEST_KEY, BENCH_VIEWER_KEY. A scenario that throws is
 * recorded as an error (and the phase exits 1); a missed target is a "fail", which only the
 * report's exit code reflects.
 */
public final class BenchRunner {

  interface Scenario {
    ScenarioResult run() throws Exception;
  }

  private BenchRunner() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    String command = args.length > 0 ? args[0] : "";
    int code;
    if (command.equals("report")) {
      code = BenchReport.write(opts);
    } else if (command.equals("phase") && args.length > 1) {
      code = phase(args[1], opts);
    } else {
      System.err.println(
          "usage: BenchRunner phase http|fanout|memory|data|notify|import|retention|media ... | report ...");
      code = 2;
    }
    System.exit(code);
  }

  private static int phase(String phase, Map<String, String> opts) throws Exception {
    int errors = 0;
    try (Bench b = new Bench(opts, System.getenv())) {
      HttpScenarios http = new HttpScenarios(b);
      LiveScenarios live = new LiveScenarios(b);
      DataScenarios data = new DataScenarios(b);
      NotifyScenarios notify = new NotifyScenarios(b, live);
      ImportScenario imports = new ImportScenario(b);
      RetentionScenario retention = new RetentionScenario(b);
      MediaScenario media = new MediaScenario(b);
      FramesScenario frames = new FramesScenario(b);
      List<Map.Entry<String, Scenario>> scenarios =
          switch (phase) {
            case "http" ->
                List.of(
                    Map.entry("1", http::heartbeats),
                    Map.entry("8", http::wsIngest),
                    Map.entry("3", live::alertLatency),
                    Map.entry("2", http::starts));
            case "fanout" ->
                List.of(Map.entry("4", live::fanout), Map.entry("14", frames::framesVsRefetch));
            case "memory" -> List.of(Map.entry("7", live::memory));
            case "data" ->
                List.of(
                    Map.entry("5", data::rollup),
                    Map.entry("6", data::statsEndpoints),
                    Map.entry("9", data::usageEndpoints));
            case "notify" -> List.of(Map.entry("10", notify::notifications));
            case "import" -> List.of(Map.entry("11", imports::tautulli));
            case "retention" -> List.of(Map.entry("12", retention::retention));
            case "media" -> List.of(Map.entry("13", media::polling));
            default -> throw new IllegalArgumentException("unknown phase " + phase);
          };
      for (Map.Entry<String, Scenario> s : scenarios) {
        if (!selected(opts, phase, s.getKey())) continue;
        long t0 = System.nanoTime();
        log("scenario " + s.getKey() + " …");
        double[] cpu0 = b.cpuSample();
        String load =
            java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        ScenarioResult r;
        try {
          r = s.getValue().run();
        } catch (Exception | Error e) {
          e.printStackTrace();
          r = new ScenarioResult(s.getKey(), "scenario " + s.getKey(), "").error(e);
        }
        r.figure("scenario_seconds", (System.nanoTime() - t0) / 1e9);
        // how much of the machine the service got: the figures of a shared 2-core machine need this
        // context
        double[] cpu1 = b.cpuSample();
        r.figure("service_cpu_cores_avg", (cpu1[0] - cpu0[0]) / (cpu1[3] - cpu0[3]))
            .figure("machine_busy_pct", 100 * (cpu1[1] - cpu0[1]) / Math.max(1, cpu1[2] - cpu0[2]))
            .figure("load_average_at_start", Double.parseDouble(load));
        r.write(b.results());
        if (r.status() == ScenarioResult.Status.ERROR) errors++;
        log(
            "scenario "
                + s.getKey()
                + ": "
                + r.status().name().toLowerCase()
                + " "
                + r.toJson().getJsonObject("figures").encode());
      }
    }
    return errors == 0 ? 0 : 1;
  }

  /** Which scenarios each phase runs, in order. */
  static final Map<String, List<String>> PHASES =
      Map.of(
          "http",
          List.of("1", "8", "3", "2"),
          "fanout",
          List.of("4", "14"),
          "memory",
          List.of("7"),
          "data",
          List.of("5", "6", "9"),
          "notify",
          List.of("10"),
          "import",
          List.of("11"),
          "retention",
          List.of("12"),
          "media",
          List.of("13"));

  /** Whether {@code --phases} / {@code --only} (bench/run's options) select scenario {@code id}. */
  static boolean selected(Map<String, String> opts, String phase, String id) {
    String phases = opts.getOrDefault("phases", String.join(" ", PHASES.keySet()));
    if (phase == null) {
      phase =
          PHASES.entrySet().stream()
              .filter(e -> e.getValue().contains(id))
              .map(Map.Entry::getKey)
              .findFirst()
              .orElse("");
    }
    if (!List.of(phases.trim().split("[ ,]+")).contains(phase)) return false;
    String only = opts.get("only");
    return only == null || only.isBlank() || List.of(only.trim().split("[ ,]+")).contains(id);
  }

  static void log(String line) {
    System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + line);
    System.out.flush();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--")) continue;
      String key = args[i].substring(2);
      if (i + 1 < args.length && !args[i + 1].startsWith("--")) m.put(key, args[++i]);
      else m.put(key, "true");
    }
    return m;
  }
}
