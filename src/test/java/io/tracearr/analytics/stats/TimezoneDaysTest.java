package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.Seed.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With analytics.timezone set, days and hour buckets follow that zone's midnights, not UTC's. */
class TimezoneDaysTest {

  static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("rollup_interval_seconds", 86_400)
                      .put("timezone", "Asia/Tokyo")));

  static final TestNode node = nodes.node();
  static Seed tokyo = new Seed(TOKYO);
  static LocalDate today;

  @BeforeAll
  static void prepare() {
    today = tokyo.today();
    // 00:30-01:30 Tokyo time is 15:30-16:30 UTC of the day before: it belongs to the Tokyo day
    tokyo
        .ended(
            user(1),
            'a',
            "movie",
            "Alpha",
            tokyo.at(3, "00:30"),
            tokyo.at(3, "01:30"),
            3600,
            0,
            false)
        .ended(
            user(2),
            'a',
            "movie",
            "Alpha",
            tokyo.at(3, "23:50"),
            tokyo.at(2, "00:20"),
            1800,
            0,
            false)
        .into(node);
    Seed.rollup(node);
  }

  @Test
  void daysAreTokyoDays() {
    JsonObject body =
        node.get(
                "/api/v1/analytics/stats/daily?start="
                    + today.minusDays(3)
                    + "&end="
                    + today.minusDays(2),
                TestNode.VIEWER_KEY)
            .bodyAsJsonObject();
    assertEquals("Asia/Tokyo", body.getString("timezone"));
    JsonArray items = body.getJsonArray("items");
    assertEquals(2, items.getJsonObject(0).getInteger("total_sessions"));
    assertEquals(90, items.getJsonObject(0).getInteger("total_duration_minutes"));
    assertEquals(0, items.getJsonObject(1).getInteger("total_sessions"));
    assertEquals(
        1,
        items.getJsonObject(1).getInteger("peak_concurrent_streams"),
        "the session spanning Tokyo midnight");
  }

  @Test
  void hourBucketsStartAtTokyoMidnight() {
    JsonArray items =
        node.get(
                "/api/v1/analytics/stats/concurrency?start="
                    + today.minusDays(3)
                    + "&end="
                    + today.minusDays(3)
                    + "&bucket=hour",
                TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    assertEquals(24, items.size());
    assertEquals(tokyo.at(3, "00:00").toString(), items.getJsonObject(0).getString("start"));
    assertEquals(1, items.getJsonObject(0).getInteger("peak"));
    assertEquals(1, items.getJsonObject(1).getInteger("peak"));
    assertEquals(0, items.getJsonObject(2).getInteger("peak"));
    assertEquals(1, items.getJsonObject(23).getInteger("peak"));
  }
}
