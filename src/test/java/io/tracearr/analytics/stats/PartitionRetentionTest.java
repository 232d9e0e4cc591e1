package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18: retention drops the monthly partitions wholly before the cutoff (and their session_ids
 * rows), deletes the rest of the edge month in batches, and keeps what no roll-up has counted yet
 * (a late row stops the purge at its day, as before partitioning).
 */
class PartitionRetentionTest {

  @RegisterExtension static final RetentionNode retention = new RetentionNode();
  static final TestNode node = retention.node();
  static final Seed seed = retention.seed;

  private static String partition(LocalDate day) {
    return "playback_sessions_p" + day.format(DateTimeFormatter.ofPattern("yyyyMM"));
  }

  @Test
  void dropsWholeOldMonthsBatchesTheEdgeAndKeepsUncountedRows() {
    LocalDate today = retention.today();
    node.sql("SELECT session_partitions_ensure(current_date - 130, current_date)");
    // D-100 onwards every 10 minutes (about three weeks), D-61 (the edge), D-20 (inside the window)
    retention.insertEnded(Seed.ts(seed.at(100, "00:00")), 3000, "10 minutes", null);
    retention.insertEnded(Seed.ts(seed.at(61, "00:00")), 200, "1 minute", null);
    retention.insertEnded(Seed.ts(seed.at(20, "00:00")), 100, "1 minute", null);
    Seed.rollup(node);
    // reported late (created now, after the roll-up): D-60 is not counted yet, so it and every
    // later
    // day stay
    retention.insertEnded(Seed.ts(seed.at(60, "12:00")), 1, "1 minute", "now()");
    String oldMonth = partition(today.minusDays(100));
    assertEquals(1, node.count("SELECT count(*) FROM pg_class WHERE relname = '" + oldMonth + "'"));

    JsonObject outcome = Seed.retention(node);
    assertEquals(
        today.minusDays(60).toString(), outcome.getString("sessions_kept_from"), outcome.encode());
    assertEquals(3200, outcome.getInteger("sessions_deleted"), outcome.encode());
    assertEquals(
        0,
        node.count("SELECT count(*) FROM pg_class WHERE relname = '" + oldMonth + "'"),
        "dropped whole");
    if (today.minusDays(60).getDayOfMonth() != 1) {
      // D-61 shares its month with the kept D-60: that partition stays, its rows before D-60 went
      // in batches
      assertEquals(
          1,
          node.count(
              "SELECT count(*) FROM pg_class WHERE relname = '"
                  + partition(today.minusDays(61))
                  + "'"));
    }
    assertEquals(
        0,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE started_at < "
                + Seed.ts(seed.at(60, "00:00"))));
    assertEquals(
        101, node.count("SELECT count(*) FROM playback_sessions"), "the late row and D-20");
    assertEquals(
        101, node.count("SELECT count(*) FROM session_ids"), "guard rows went with their sessions");
    assertEquals(0, Seed.retention(node).getInteger("sessions_deleted"), "nothing left to purge");
  }
}
