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
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The popular windows are maintained incrementally (per-day deltas, days subtracted as they leave),
 * or rebuilt once when a run has 32 days or more to recompute. After a node was down for N days
 * (windows still ending N days ago, the days since never rolled up), the next run must leave
 * exactly what a build from scratch gives, and the endpoint must answer as before.
 */
class PopularWindowsTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("rollup_interval_seconds", 86_400)
                      .put("retention_days", 1000)));

  static final TestNode node = nodes.node();
  static Seed seed = new Seed();
  static LocalDate today;
  static Map<String, String> answers;
  static String windows;

  @BeforeAll
  static void prepare() {
    // retention far beyond the fixture: the outage simulation below re-derives state from raw
    // sessions
    // the outage below is faked with SQL: no startup roll-up of this node may run in the middle of
    // it
    Seed.startupJobsDone(node);
    today = seed.today();
    char[] contents = {'a', 'b', 'c', 'e'};
    int n = 0;
    for (int daysAgo : new int[] {400, 366, 364, 40, 31, 30, 29, 8, 7, 6, 1}) {
      for (int k = 0; k <= daysAgo % 4; k++) {
        char c = contents[(daysAgo + k) % contents.length];
        Instant start = seed.at(daysAgo, "%02d:00".formatted(8 + k));
        seed.ended(
            user(1 + (n++ % 5)),
            c,
            c == 'b' ? "episode" : "movie",
            "Title " + c + " v" + daysAgo,
            start,
            start.plusSeconds(1800),
            600 + 60 * k,
            0,
            false);
      }
    }
    Instant now = Instant.now().minusSeconds(600);
    Instant t0 = now.isBefore(seed.at(0, "00:00")) ? seed.at(0, "00:00") : now;
    seed.ended(user(3), 'e', "movie", "Title e now", t0, t0.plusSeconds(100), 100, 0, false)
        .into(node);
    Seed.rollup(node);
    answers = answers();
    windows = windows();
    assertTrue(windows.contains("|year|") && windows.contains("|all|"), windows);
  }

  @ParameterizedTest(name = "down for {0} day(s)")
  @ValueSource(ints = {1, 5, 20, 35, 400})
  void windowsAfterAnOutageEqualABuildFromScratch(int daysDown) {
    LocalDate anchor = today.minusDays(daysDown);
    // the state as the last run before the outage left it: nothing rolled up after the anchor,
    // windows ending there
    node.sql("DELETE FROM daily_stats WHERE day > '" + anchor + "'");
    node.sql("DELETE FROM daily_content_stats WHERE day > '" + anchor + "'");
    // each pair's last play as of the anchor (the fixture is in UTC, min_play_seconds 30)
    node.sql("DELETE FROM content_user_last");
    node.sql(
        "INSERT INTO content_user_last SELECT content_id, user_id, max((started_at AT TIME ZONE 'UTC')::date) "
            + "FROM playback_sessions WHERE duration_seconds >= 30 AND started_at < "
            + Seed.ts(seed.at(daysDown - 1, "00:00"))
            + " GROUP BY 1, 2");
    node.sql(
        "DELETE FROM hourly_concurrency WHERE hour_start >= "
            + Seed.ts(seed.at(daysDown - 1, "00:00")));
    node.sql("DELETE FROM content_window_totals");
    node.sql(PopularWindowStore.BUILD_WINDOWS.replace("$1::date", "'" + anchor + "'::date"));
    node.sql("UPDATE rollup_state SET window_anchor = '" + anchor + "'");

    Seed.rollup(node);

    assertEquals(windows, windows());
    assertEquals(answers, answers());
    node.sql("DELETE FROM content_window_totals");
    node.sql(PopularWindowStore.BUILD_WINDOWS.replace("$1::date", "'" + today + "'::date"));
    assertEquals(windows, windows(), "incremental windows == a build from scratch");
  }

  private static Map<String, String> answers() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String q :
        new String[] {
          "window=day",
          "window=week",
          "window=month",
          "window=year",
          "window=all",
          "window=all&content_type=episode",
          "window=year&limit=2"
        }) {
      var res = node.get("/api/v1/analytics/popular?" + q, TestNode.VIEWER_KEY);
      assertEquals(200, res.statusCode(), res.bodyAsString());
      out.put(q, res.bodyAsString());
    }
    return out;
  }

  private static String windows() {
    StringBuilder sb = new StringBuilder();
    try (var c = TestDatabase.connect(node.database());
        var st = c.createStatement();
        var rs =
            st.executeQuery(
                "SELECT window_name, content_id, content_type, content_title, play_count, watch_seconds "
                    + "FROM content_window_totals ORDER BY 1, 2")) {
      while (rs.next()) {
        sb.append('|');
        for (int i = 1; i <= 6; i++) sb.append(rs.getString(i)).append('|');
        sb.append('\n');
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return sb.toString();
  }
}
