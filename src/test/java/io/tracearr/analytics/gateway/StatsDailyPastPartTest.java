package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.stats.Seed;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * stats/daily's past part survives roll-ups of today (issue 18, scenario 6): it is read again only
 * when a roll-up rewrote a past day (rollup_state.usage_version moved), and then the first read
 * after the roll-up shows it. A past day changed behind the roll-ups' back (no version move) shows
 * whether a read went to the database.
 */
class StatsDailyPastPartTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              // one instance: the cache under test is per gateway instance
              .put("http", new JsonObject().put("instances", 1))
              // only the roll-ups this test asks for run
              .put(
                  "analytics",
                  new JsonObject().put("rollup_interval_seconds", 86_400).put("timezone", "UTC"))
              .put("sessions", new JsonObject().put("timeout_seconds", 86_400)));

  static final TestNode node = nodes.node();
  static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
  static final LocalDate YESTERDAY = TODAY.minusDays(1);

  @BeforeAll
  static void startupDone() {
    Seed.startupJobsDone(node);
  }

  @Test
  void aRollUpOfTodayKeepsThePastPartAndARerolledPastDayShowsOnTheFirstRead() {
    assertEquals(0, yesterday(), "no session yet");

    // behind the roll-ups' back: a final row that no roll-up rewrites, and no version move
    finalRow(YESTERDAY, 777);
    rollUpAndWaitForItsFrame(); // today only
    assertEquals(0, yesterday(), "a roll-up of today does not read the past days again");

    // a session of yesterday reported late: the next roll-up re-rolls yesterday from its raw
    // sessions (777 becomes 1) and moves the version in the same transaction
    new Seed()
        .reportedLate(
            Seed.user(51),
            'a',
            "movie",
            "Alpha",
            YESTERDAY.atTime(12, 0).toInstant(ZoneOffset.UTC),
            YESTERDAY.atTime(12, 10).toInstant(ZoneOffset.UTC),
            600)
        .into(node);
    rollUpAndWaitForItsFrame();
    assertEquals(1, yesterday(), "the re-rolled day, on the first read after its roll-up");

    // and a roll-up of today again leaves the new past part in place
    node.sql("UPDATE daily_stats SET total_sessions = 778 WHERE day = '%s'".formatted(YESTERDAY));
    rollUpAndWaitForItsFrame();
    assertEquals(1, yesterday(), "kept across a roll-up of today");
  }

  @Test
  void aFrameThatCarriesAnUnchangedPastVersionNeedsNoCheckAndAMovedOneDropsThePast() {
    LocalDate day = TODAY.minusDays(30);
    finalRow(day, 5);
    long version = node.count("SELECT usage_version FROM rollup_state");
    // a frame without past_version makes the next read check the version: unchanged, still 5 after
    // the row moves behind the back
    frame(new JsonObject().put("date", TODAY.toString()));
    long before = day(day);
    node.sql("UPDATE daily_stats SET total_sessions = 6 WHERE day = '%s'".formatted(day));
    frame(new JsonObject().put("date", TODAY.toString()).put("past_version", version));
    assertEquals(before, day(day), "the frame says the past days are as they were");
    // as a roll-up that rewrote a past day does, in its transaction
    node.sql("UPDATE rollup_state SET usage_version = usage_version + 1");
    frame(new JsonObject().put("date", TODAY.toString()).put("past_version", version + 1));
    assertEquals(6, day(day), "a moved version: read again");
  }

  /** A final daily_stats row of {@code day} with {@code sessions}, written over any row there. */
  private static void finalRow(LocalDate day, long sessions) {
    node.sql(
        """
        INSERT INTO daily_stats (day, total_sessions, total_duration_seconds, unique_users, total_bytes,
          transcoded_sessions, peak_concurrent_streams, finalized, rolled_up_at)
        VALUES ('%1$s', %2$d, 0, 1, 0, 0, 1, true, now())
        ON CONFLICT (day) DO UPDATE SET total_sessions = %2$d, finalized = true"""
            .formatted(day, sessions));
  }

  private static void frame(JsonObject frame) {
    long handled = StatsRoutes.framesHandled();
    node.app().vertx().eventBus().publish(Addresses.STATS_UPDATED, frame);
    Await.until(
        Duration.ofSeconds(10), "the frame handled", () -> StatsRoutes.framesHandled() > handled);
  }

  private static void rollUpAndWaitForItsFrame() {
    long handled = StatsRoutes.framesHandled();
    TestNode.await(
        node.app()
            .vertx()
            .eventBus()
            .<JsonObject>request(Addresses.STATS_ROLLUP, new JsonObject()));
    Await.until(
        Duration.ofSeconds(10),
        "the roll-up's frame handled",
        () -> StatsRoutes.framesHandled() > handled);
  }

  private static long yesterday() {
    return day(YESTERDAY);
  }

  private static long day(LocalDate day) {
    for (Object o : node.daily(TODAY.minusDays(364), TODAY, TestNode.VIEWER_KEY)) {
      JsonObject item = (JsonObject) o;
      if (item.getString("date").equals(day.toString())) return item.getLong("total_sessions");
    }
    throw new AssertionError("no " + day + " in the answer");
  }
}
