package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.Counter;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clustered nodes on one database, a 1 s roll-up interval: every slot is rolled up by exactly
 * one node.
 */
class ClusteredRollupTest {

  @RegisterExtension
  static final NodeExtension cluster =
      NodeExtension.cluster(
          2, new JsonObject().put("analytics", new JsonObject().put("rollup_interval_seconds", 1)));

  static final TestNode a = cluster.node(0);
  static final TestNode b = cluster.node(1);
  static Instant bothUp;

  @BeforeAll
  static void prepare() {
    bothUp = Instant.now();
  }

  @Test
  void eachRollUpSlotRunsOnceAcrossTheCluster() {
    assertEquals(2, a.app().node().clusterMembers());
    new Seed()
        .ended(
            Seed.user(1),
            'a',
            "movie",
            "Alpha",
            Instant.now().minusSeconds(600),
            Instant.now().minusSeconds(60),
            540,
            0,
            false)
        .into(a);
    Await.until(
        Duration.ofSeconds(60),
        "five roll-up slots after both nodes joined",
        () ->
            a.count(
                    "SELECT count(*) FROM job_runs WHERE job = 'rollup' AND finished_at IS NOT NULL AND claimed_at > '"
                        + bothUp
                        + "'")
                >= 5);
    // the runs the two nodes did equal the slots claimed (compared between runs: a run in flight is
    // claimed first)
    Await.until(
        Duration.ofSeconds(30),
        "runs on both nodes == claimed slots",
        () -> runs(a) + runs(b) == a.count("SELECT count(*) FROM job_runs WHERE job = 'rollup'"));
    assertEquals(0, count(a, "failed") + count(b, "failed"));
    // and the periodic roll-up saw the session, on its own day (yesterday's, when the test runs in
    // the first ten minutes after midnight UTC)
    Await.until(
        Duration.ofSeconds(10),
        "the session's day's roll-up to include it",
        () ->
            a.count(
                    "SELECT COALESCE(max(total_sessions), 0) FROM daily_stats WHERE day ="
                        + " (SELECT (min(started_at) AT TIME ZONE 'UTC')::date FROM playback_sessions)")
                == 1);
  }

  private static long runs(TestNode node) {
    return count(node, "done") + count(node, "failed") + count(node, "skipped");
  }

  private static long count(TestNode node, String outcome) {
    Counter c =
        node.app()
            .node()
            .metrics()
            .registry()
            .find("analytics_rollup_runs")
            .tag("trigger", "periodic")
            .tag("outcome", outcome)
            .counter();
    return c == null ? 0 : (long) c.count();
  }
}
