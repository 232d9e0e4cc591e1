package io.tracearr.analytics.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * retention_days 30: dismissed alerts whose dismissal is older than that go, open ones stay however
 * old, and recently dismissed ones stay. The detector, the one writer of sharing_alerts, runs it
 * (moved from the aggregator's retention with the same demands).
 */
class AlertRetentionTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("rollup_interval_seconds", 86_400)
                      .put("retention_days", 30)));

  static final TestNode node = nodes.node();

  @Test
  void dismissedAlertsOlderThanTheWindowGoOpenOnesStay() {
    String user = "10000000-0000-0000-0000-000000000001";
    node.sql(
        """
        INSERT INTO sharing_alerts (id, user_id, alert_type, severity, evidence, status, created_at, updated_at, dismissed_at)
        VALUES
          (gen_random_uuid(), '%1$s', 'concurrent_streams', 'high', '{}', 'open', now() - interval '100 days', now() - interval '100 days', NULL),
          (gen_random_uuid(), '%1$s', 'device_spike', 'low', '{}', 'dismissed', now() - interval '100 days', now() - interval '99 days', now() - interval '99 days'),
          (gen_random_uuid(), '%1$s', 'geo_impossible', 'medium', '{}', 'dismissed', now() - interval '100 days', now() - interval '1 day', now() - interval '1 day')
        """
            .formatted(user));
    JsonObject outcome =
        TestNode.await(
                node.app()
                    .vertx()
                    .eventBus()
                    .<JsonObject>request(Addresses.ALERTS_RETENTION, new JsonObject()))
            .body();
    assertEquals(1, outcome.getInteger("alerts_deleted"));
    assertEquals(1, node.count("SELECT count(*) FROM sharing_alerts WHERE status = 'open'"));
    assertEquals(1, node.count("SELECT count(*) FROM sharing_alerts WHERE status = 'dismissed'"));
  }
}
