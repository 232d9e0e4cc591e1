package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.Seed.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestDatabase;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A back-fill of many missing days is computed set-wise (one statement per table for the whole
 * run); it must leave exactly what rolling each day on its own leaves: every roll-up table, in a
 * zone with a DST change inside the range (a 25-hour day), with sessions spanning midnight, short
 * plays, missing titles, one still open.
 */
class SetWiseBackfillTest {

  static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  static final int DAYS = 45;

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("rollup_interval_seconds", 86_400)
                      .put("timezone", PARIS.getId())
                      .put("retention_days", 1000))
              .put("sessions", new JsonObject().put("timeout_seconds", 86_400)));

  static final TestNode node = nodes.node();
  static Seed seed = new Seed(PARIS);

  @BeforeAll
  static void prepare() {
    Seed.startupJobsDone(node);
    Random random = new Random(42);
    char[] contents = {'a', 'b', 'c', 'e'};
    for (int daysAgo = DAYS; daysAgo >= 1; daysAgo--) {
      if (daysAgo % 9 == 4) continue; // a few empty days
      for (int k = 0; k < 12; k++) {
        char c = contents[random.nextInt(contents.length)];
        String hhmm = "%02d:%02d".formatted(random.nextInt(24), random.nextInt(60));
        Instant start = seed.at(daysAgo, hhmm);
        // some run past midnight, some are too short to count as a play
        Instant end = start.plusSeconds(k % 5 == 0 ? 10 : 600 + random.nextInt(4 * 3600));
        String title = k % 7 == 3 ? null : "Title " + c + " " + (daysAgo % 3);
        seed.ended(
            user(1 + random.nextInt(6)),
            c,
            c == 'b' ? "episode" : "movie",
            title,
            start,
            end,
            Math.min(end.getEpochSecond() - start.getEpochSecond(), 20 + random.nextInt(3000)),
            random.nextInt(1_000_000),
            random.nextBoolean());
      }
    }
    seed.open(user(9), 'c', "movie", "Open one", seed.at(3, "22:00"), 1200).into(node);
  }

  @Test
  void aSetWiseBackFillEqualsRollingEachDayOnItsOwn() {
    Seed.rollup(node); // every day since the first session is missing: back-filled set-wise
    assertEquals(
        DAYS, node.count("SELECT count(*) FROM daily_stats WHERE day < '" + seed.today() + "'"));
    Map<String, String> setWise = rollups();
    assertTrue(setWise.get("hourly_concurrency").lines().count() > 100, setWise::toString);

    node.sql(
        "DELETE FROM daily_stats; DELETE FROM daily_content_stats; DELETE FROM content_user_last; DELETE FROM usage_day_value; DELETE FROM usage_day_user; "
            + "DELETE FROM hourly_concurrency; DELETE FROM content_window_totals; UPDATE rollup_state SET window_anchor = NULL");
    StatsCalendar calendar = new StatsCalendar(PARIS);
    DayRollupStore dayStore = new DayRollupStore(node.app().node().pool(), PARIS);
    LocalDate today = calendar.today();
    for (LocalDate d = today.minusDays(DAYS); !d.isAfter(today); d = d.plusDays(1)) {
      TestNode.await(
          dayStore.rollDay(
              d, calendar.start(d), calendar.end(d), 30, d.isBefore(today), d.equals(today)));
    }
    TestNode.await(new PopularWindowStore(node.app().node().pool()).alignWindows(today));

    Map<String, String> perDay = rollups();
    for (String table : setWise.keySet())
      assertEquals(perDay.get(table), setWise.get(table), table);
  }

  @Test
  void runsAreCutAtAHalfHourDstShift() {
    // Lord Howe Island moves its clocks by 30 minutes: 2026-10-04 has 23.5 hours, 2026-04-05 has
    // 24.5
    StatsCalendar lordHowe = new StatsCalendar(ZoneId.of("Australia/Lord_Howe"));
    DailyRollup rollup = new DailyRollup(null, null, null, null, lordHowe, null);
    Map<LocalDate, Boolean> plan = new TreeMap<>();
    LocalDate first = LocalDate.parse("2026-09-30");
    for (LocalDate d = first; d.isBefore(first.plusDays(10)); d = d.plusDays(1)) plan.put(d, false);
    plan.put(LocalDate.parse("2026-10-08"), true); // forced (reported late): rolled on its own
    // as the planner passes them when the run does not rebuild the windows: the missing days only
    Set<LocalDate> missing = new java.util.HashSet<>(plan.keySet());
    missing.remove(LocalDate.parse("2026-10-08"));
    List<List<LocalDate>> runs = rollup.setWiseRuns(plan, missing);
    assertEquals(
        List.of(
            List.of(
                LocalDate.parse("2026-09-30"),
                LocalDate.parse("2026-10-01"),
                LocalDate.parse("2026-10-02"),
                LocalDate.parse("2026-10-03")),
            List.of(
                LocalDate.parse("2026-10-05"),
                LocalDate.parse("2026-10-06"),
                LocalDate.parse("2026-10-07"))),
        runs);
  }

  /** every roll-up table as text, rolled_up_at left out (the two runs happen at different times) */
  private static Map<String, String> rollups() {
    Map<String, String> out = new TreeMap<>();
    out.put(
        "daily_stats",
        query(
            "SELECT string_agg(concat_ws(',', day, total_sessions, total_duration_seconds, "
                + "unique_users, total_bytes, transcoded_sessions, peak_concurrent_streams, finalized), E'\\n' ORDER BY day) "
                + "FROM daily_stats"));
    out.put(
        "daily_content_stats",
        query(
            "SELECT string_agg(c::text, E'\\n' ORDER BY day, content_id) FROM daily_content_stats c"));
    out.put(
        "content_user_last",
        query(
            "SELECT string_agg(u::text, E'\\n' ORDER BY content_id, user_id) FROM content_user_last u"));
    out.put(
        "hourly_concurrency",
        query("SELECT string_agg(h::text, E'\\n' ORDER BY hour_start) FROM hourly_concurrency h"));
    out.put(
        "content_window_totals",
        query(
            "SELECT string_agg(w::text, E'\\n' ORDER BY window_name, content_id) "
                + "FROM content_window_totals w"));
    out.put(
        "usage_day_value",
        query("SELECT string_agg(u::text, E'\\n' ORDER BY dim, day, key) FROM usage_day_value u"));
    // the keys' rows (one per session) in a fixed order: array_agg's order is the plan's
    out.put(
        "usage_day_user",
        query(
            "SELECT string_agg(concat_ws(',', user_id, day, plays, watch_seconds, bytes, last_seen, "
                + "(SELECT string_agg(k, ';' ORDER BY k) FROM unnest(keys) k)), E'\\n' "
                + "ORDER BY user_id, day) FROM usage_day_user u"));
    out.put("window_anchor", query("SELECT window_anchor::text FROM rollup_state"));
    return out;
  }

  private static String query(String sql) {
    try (var c = TestDatabase.connect(node.database());
        var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return String.valueOf(rs.getString(1));
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
