package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.Seed.norm;
import static io.tracearr.analytics.stats.Seed.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * retention_days 30: raw sessions of final days older than that go (in batches), the roll-ups keep
 * answering for them; a day that is not final (a stream still open since then) keeps its sessions,
 * and so does every later one. (Dismissed alerts are the detector's: detect/AlertRetentionTest.)
 */
class RetentionTest {

  @RegisterExtension static final RetentionNode retention = new RetentionNode();
  static final TestNode node = retention.node();
  static final Seed seed = retention.seed;

  @Test
  void purgesOnlyFinalDaysOlderThanTheWindowAndTheRollUpsStillAnswer() {
    LocalDate today = retention.today();
    // D-50: 12 000 sessions (more than two delete batches), 10 users, content a, starting a second
    // apart from 00:00:01, all created at 00:00
    String d50 = Seed.ts(seed.at(50, "00:00"));
    retention.insertEnded(d50 + " + interval '1 second'", 12000, "1 second", d50);
    seed.ended(
            user(1),
            'b',
            "episode",
            "Beta",
            seed.at(45, "10:00"),
            seed.at(45, "11:00"),
            3600,
            0,
            false)
        .ended(
            user(2),
            'b',
            "episode",
            "Beta",
            seed.at(45, "10:30"),
            seed.at(45, "11:00"),
            1800,
            0,
            false)
        .ended(
            user(3),
            'c',
            "track",
            "Gamma",
            seed.at(35, "09:00"),
            seed.at(35, "09:30"),
            1800,
            0,
            false)
        .open(user(4), 'c', "live", "Gamma live", seed.at(35, "12:00"), 100)
        .ended(
            user(5),
            'c',
            "track",
            "Gamma",
            seed.at(33, "09:00"),
            seed.at(33, "09:30"),
            1800,
            0,
            false)
        .ended(
            user(6),
            'c',
            "track",
            "Gamma",
            seed.at(10, "09:00"),
            seed.at(10, "09:30"),
            1800,
            0,
            false)
        .into(node);
    Seed.rollup(node);
    JsonArray before = daily(today.minusDays(50), today.minusDays(1));
    assertEquals(12_000, norm(before.getJsonObject(0)).getInteger("total_sessions"));
    assertEquals(12_000 + 6, node.count("SELECT count(*) FROM playback_sessions"));

    JsonObject outcome = Seed.retention(node);
    // D-50 and D-45 are final; D-35 is not (a stream still open since then), so the purge stops
    // there
    assertEquals(12_002, outcome.getInteger("sessions_deleted"));
    assertEquals(today.minusDays(35).toString(), outcome.getString("sessions_kept_from"));
    assertEquals(
        0,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE started_at < "
                + Seed.ts(seed.at(35, "00:00"))));
    assertEquals(4, node.count("SELECT count(*) FROM playback_sessions"));

    // the purged days still answer, from the roll-ups, also after another roll-up
    assertEquals(before, daily(today.minusDays(50), today.minusDays(1)));
    Seed.rollup(node);
    assertEquals(before, daily(today.minusDays(50), today.minusDays(1)));
    JsonObject alpha =
        node.get("/api/v1/analytics/popular?window=all", TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items")
            .getJsonObject(0);
    assertEquals(12_000, alpha.getInteger("play_count"));
    assertEquals(10, alpha.getInteger("unique_users"));

    // once the long stream ends, its days become final and their sessions older than 30 days go too
    node.sql(
        "UPDATE playback_sessions SET status = 'ended', ended_reason = 'admin', ended_at = "
            + Seed.ts(seed.at(34, "12:00"))
            + " WHERE ended_at IS NULL");
    Seed.rollup(node);
    JsonObject second = Seed.retention(node);
    assertEquals(3, second.getInteger("sessions_deleted"), second.encode());
    assertEquals(1, node.count("SELECT count(*) FROM playback_sessions"));
    assertEquals(0, Seed.retention(node).getInteger("sessions_deleted"), "nothing left to purge");
    JsonArray after = daily(today.minusDays(50), today.minusDays(1));
    assertEquals(
        2,
        norm(after.getJsonObject(50 - 35)).getInteger("total_sessions"),
        "D-35 from its roll-up");
    assertEquals(
        1,
        norm(after.getJsonObject(50 - 34)).getInteger("peak_concurrent_streams"),
        "the stream spanned D-34");
  }

  private static JsonArray daily(LocalDate start, LocalDate end) {
    return node.daily(start, end, TestNode.VIEWER_KEY);
  }
}
