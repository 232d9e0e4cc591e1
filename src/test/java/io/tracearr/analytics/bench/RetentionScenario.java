package io.tracearr.analytics.bench;

import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Scenario 12 (issue 18): a month of the generated history (about 30 of its 90 days, a third of the
 * 10 M sessions) expired twice over, on two months of the same table: by the batched DELETE
 * retention ran before (bench/retention.sql, method delete) and by the partition drop it runs now
 * (method drop: session_ids in batches, then DROP TABLE). Time and WAL bytes of each, per row too
 * since the two months hold slightly different counts. It also records the plans of the
 * active-session, history and reaper queries at this size (bench/retention-explain.sql, in
 * s12-explain.out) for docs/benchmarks.md.
 */
final class RetentionScenario {

  private static final String FIRST_GENERATED = "00000000-0000-4000-a000-000000000001";
  private static final DateTimeFormatter YYYYMM = DateTimeFormatter.ofPattern("yyyyMM");

  private final Bench b;

  RetentionScenario(Bench b) {
    this.b = b;
  }

  ScenarioResult retention() throws Exception {
    int rows = b.sizes.generatedSessions();
    ScenarioResult r =
        new ScenarioResult(
            "12",
            "retention: a month of "
                + rows
                + " generated sessions, batched DELETE vs partition drop",
            "partition drop faster and with less WAL per row than the batched DELETE");
    b.endLeftoverSessions();
    // the data phase may have generated the history already (same data directory)
    String there =
        b.psql(
            "s12-there",
            "SELECT EXISTS (SELECT 1 FROM session_ids WHERE id = '" + FIRST_GENERATED + "');",
            Duration.ofMinutes(1));
    if (!"t".equals(there)) {
      long t0 = System.nanoTime();
      b.tools
          .run(
              "s12-generate",
              b.psqlCommand(
                  "-v", "rows=" + rows, "-f", b.benchDir.resolve("generate.sql").toString()),
              b.pgEnv(),
              Duration.ofMinutes(60),
              null)
          .requireSuccess("generating sessions");
      r.figure("generate_seconds", (System.nanoTime() - t0) / 1e9);
    }
    b.psql("s12-vacuum", "VACUUM ANALYZE playback_sessions;", Duration.ofMinutes(30));
    long total =
        Long.parseLong(
            b.psql("s12-count", "SELECT count(*) FROM playback_sessions;", Duration.ofMinutes(10)));
    r.figure("sessions_in_table", total);
    b.tools
        .run(
            "s12-explain",
            b.psqlCommand("-f", b.benchDir.resolve("retention-explain.sql").toString()),
            b.pgEnv(),
            Duration.ofMinutes(10),
            null)
        .requireSuccess("plans of the active, history and reaper queries");

    // the two oldest months wholly before this one that hold rows
    String current = YearMonth.now(ZoneOffset.UTC).format(YYYYMM);
    List<String> months = new ArrayList<>();
    for (String name :
        b.psql(
                "s12-partitions",
                """
                SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'playback_sessions'::regclass AND c.relname ~ '^playback_sessions_p[0-9]{6}$'
                  AND c.relname < 'playback_sessions_p%s' AND c.reltuples > 0
                ORDER BY c.relname;"""
                    .formatted(current),
                Duration.ofMinutes(1))
            .split("\n")) {
      if (!name.isBlank()) months.add(name.strip());
    }
    if (months.size() < 2)
      return r.skipped("fewer than two past months hold generated sessions: " + months);
    long[] delete = expire("delete", months.get(0));
    long[] drop = expire("drop", months.get(1));
    double deletePerRow = delete[1] / (double) Math.max(1, delete[0]);
    double dropPerRow = drop[1] / (double) Math.max(1, drop[0]);
    double deleteWalPerRow = delete[2] / (double) Math.max(1, delete[0]);
    double dropWalPerRow = drop[2] / (double) Math.max(1, drop[0]);
    r.figure("delete_month", months.get(0))
        .figure("delete_rows", delete[0])
        .figure("delete_ms", delete[1])
        .figure("delete_wal_bytes", delete[2])
        .figure("drop_month", months.get(1))
        .figure("drop_rows", drop[0])
        .figure("drop_ms", drop[1])
        .figure("drop_wal_bytes", drop[2])
        .figure("delete_wal_bytes_per_row", Math.round(deleteWalPerRow))
        .figure("drop_wal_bytes_per_row", Math.round(dropWalPerRow))
        .limit("batched DELETE of a month (ms per million rows)", deletePerRow * 1e6, "ms")
        .ratio(dropPerRow / Math.max(1e-9, deletePerRow))
        .check("drop time per row < DELETE's", dropPerRow, dropPerRow < deletePerRow)
        .check("drop WAL per row < DELETE's", dropWalPerRow, dropWalPerRow < deleteWalPerRow);
    r.note(
        "both on the same table in one run (months "
            + months.get(0)
            + " by DELETE, "
            + months.get(1)
            + " by drop); the drop includes the batched delete of the month's session_ids rows"
            + " (the guard table of issue 18), which is most of its time and WAL");
    return r;
  }

  /** rows, ms, WAL bytes */
  private long[] expire(String method, String partition) throws Exception {
    YearMonth m = YearMonth.parse(partition.substring(partition.length() - 6), YYYYMM);
    LocalDate lo = m.atDay(1);
    LocalDate hi = m.plusMonths(1).atDay(1);
    String out =
        b.tools
            .run(
                "s12-" + method,
                b.psqlCommand(
                    "-A",
                    "-t",
                    "-v",
                    "method=" + method,
                    "-v",
                    "lo=" + lo + " 00:00:00+00",
                    "-v",
                    "hi=" + hi + " 00:00:00+00",
                    "-v",
                    "part=" + partition,
                    "-f",
                    b.benchDir.resolve("retention.sql").toString()),
                b.pgEnv(),
                Duration.ofMinutes(120),
                null)
            .requireSuccess("expiring " + partition + " by " + method)
            .stdout()
            .strip();
    String[] lines = out.split("\n");
    String[] f = lines[lines.length - 1].split("\\|");
    return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
  }
}
