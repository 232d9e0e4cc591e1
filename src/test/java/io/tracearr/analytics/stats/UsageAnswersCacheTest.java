package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole-answer cache of stats/plays and stats/top-users on a two-node cluster: an answer node b
 * serves from its cache changes on the first read after a start committed on node a, and after a
 * roll-up that rewrote a past day.
 */
class UsageAnswersCacheTest {

  static final Duration BOUND = Duration.ofSeconds(2);

  @RegisterExtension
  static final FreshCluster cluster =
      new FreshCluster(Addresses.SESSION_STARTED, Addresses.STATS_UPDATED);

  static final TestNode a = cluster.a();
  static final TestNode b = cluster.b();
  static final Set<String> heardOnB = cluster.heardOnB;

  static FreshAnswers cacheOfB() {
    return UsageRepository.answersOf(b.app().node().pool());
  }

  /** reads {@code path} on node b until two reads in a row were served from its cache */
  static JsonObject cachedOnB(String path) {
    JsonObject[] answer = new JsonObject[1];
    Await.until(
        Duration.ofSeconds(10),
        "an answer of node b served from its cache: " + path,
        () -> {
          JsonObject first = ok(b, path);
          long computed = cacheOfB().computations();
          JsonObject second = ok(b, path);
          answer[0] = second;
          return cacheOfB().computations() == computed && first.equals(second);
        });
    return answer[0];
  }

  static JsonObject ok(TestNode node, String path) {
    var r = node.get(path, TestNode.VIEWER_KEY);
    assertEquals(200, r.statusCode(), path + ": " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static long plays(JsonObject answer, String field, String key) {
    JsonArray items = answer.getJsonArray("items");
    for (int i = 0; i < items.size(); i++) {
      JsonObject item = items.getJsonObject(i);
      if (key.equals(item.getString(field))) return item.getLong("plays");
    }
    return 0;
  }

  @Test
  void aCachedAnswerChangesOnTheFirstReadAfterAStartOnTheOtherNode() {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    UUID user = UUID.randomUUID();
    String plays =
        "/api/v1/analytics/stats/plays?start=" + today + "&end=" + today + "&group_by=client";
    String top = "/api/v1/analytics/stats/top-users?window=day&limit=100";
    long clientBefore = plays(cachedOnB(plays), "key", "Cache Test Client");
    assertEquals(0, plays(cachedOnB(top), "user_id", user.toString()));

    UUID id = UUID.randomUUID();
    var started =
        a.post(
            "/api/v1/analytics/sessions",
            TestNode.INGEST_KEY,
            FreshCluster.movieStart(id, user, UUID.randomUUID(), Instant.now().minusSeconds(60))
                .put("user_name", "cached")
                .put("content_title", "Cached")
                .put("client_name", "Cache Test Client")
                .put("ip_address", "10.9.8.6"));
    long t0 = System.nanoTime();
    assertEquals(201, started.statusCode(), started.bodyAsString());
    Await.until(
        BOUND,
        "the start event on node b",
        () -> heardOnB.contains(Addresses.SESSION_STARTED + ":" + id));
    // the first read after node b heard of it: not the cached answer
    assertEquals(clientBefore + 1, plays(ok(b, plays), "key", "Cache Test Client"));
    assertEquals(1, plays(ok(b, top), "user_id", user.toString()));
    assertTrue(System.nanoTime() - t0 < BOUND.toNanos(), "within 2 s of the start's 201");
  }

  @Test
  void aCachedPlaysAnswerChangesAfterAPastDayIsRolledUpAgain() {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    LocalDate past = today.minusDays(3);
    String path =
        "/api/v1/analytics/stats/plays?start="
            + today.minusDays(7)
            + "&end="
            + today.minusDays(1)
            + "&group_by=client";
    long before = plays(cachedOnB(path), "key", "Late Import Client");

    // as an import of an old day leaves it: started days ago, created now
    a.sql(
        """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
          device_key, ip_address, status, started_at, ended_at, last_heartbeat_at, duration_seconds, ended_reason,
          bytes_transferred)
        VALUES (gen_random_uuid(), gen_random_uuid(), 'movie', gen_random_uuid(), 'Old film', 'Late Import Client',
          'd', 'k', '10.0.0.1', 'ended', timestamptz '%1$s 12:00Z', timestamptz '%1$s 12:30Z',
          timestamptz '%1$s 12:30Z', 1800, 'imported', 0)"""
            .formatted(past));
    heardOnB.remove(Addresses.STATS_UPDATED + ":");
    long t0 = System.nanoTime();
    Seed.rollup(a);
    Await.until(
        BOUND,
        "the roll-up's stats.updated on node b",
        () -> heardOnB.contains(Addresses.STATS_UPDATED + ":"));
    assertEquals(before + 1, plays(ok(b, path), "key", "Late Import Client"));
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos());
  }
}
