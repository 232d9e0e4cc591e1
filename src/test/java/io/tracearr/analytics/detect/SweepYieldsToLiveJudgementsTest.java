package io.tracearr.analytics.detect;

import static io.tracearr.analytics.detect.SharingFixture.LAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A start's alert does not wait for a sweep that is judging every watching user. The sweep shares
 * the detector's judging slots with the real-time path; it used to take each slot back the moment
 * one of its judgements finished, so an alert raised during a sweep came only when the sweep ended
 * (benchmark scenarios 3 and 10: 5 to 70 s late, the sweep's duration on a loaded machine).
 */
class SweepYieldsToLiveJudgementsTest {

  static final int WATCHING = 4_000;

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 86_400))));

  static final TestNode node = nodes.node();

  @Test
  void anAlertRaisedDuringASweepComesBeforeTheSweepEnds() {
    SharingFixture f = new SharingFixture(node);
    String tag = UUID.randomUUID().toString().substring(0, 8);
    // one stream each, written behind the registry's back: nothing but the sweep judges them, and
    // none of them is an alert
    node.sql(
        """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
          ip_address, status, started_at, last_heartbeat_at)
        SELECT gen_random_uuid(), gen_random_uuid(), 'movie', gen_random_uuid(), 'Plex Web', '%1$s', '%1$s',
          '192.168.1.20'::inet, 'playing', now(), now()
        FROM generate_series(1, %2$d)"""
            .formatted(tag, WATCHING));
    Future<HttpResponse<Buffer>> sweep =
        node.client()
            .post(SharingFixture.DETECT)
            .putHeader("Authorization", "Bearer " + TestNode.ADMIN_KEY)
            .send();
    // the sweep records every open session's device before it judges anyone
    Await.until(
        Duration.ofSeconds(60),
        "the sweep recorded the watching users' devices",
        () ->
            node.count("SELECT count(*) FROM user_devices WHERE device_key = '" + tag + "'")
                == WATCHING);

    UUID user = UUID.randomUUID();
    for (int d = 1; d <= 4; d++) f.start(user, "d" + d, LAN);
    f.awaitAlert(user, "concurrent_streams");
    assertFalse(
        sweep.isComplete(),
        "the alert came only after the sweep over " + WATCHING + " users had ended");

    HttpResponse<Buffer> done = TestNode.await(sweep);
    assertEquals(200, done.statusCode(), done.bodyAsString());
  }
}
