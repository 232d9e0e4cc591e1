package io.tracearr.analytics.stats;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The node of the retention tests: raw sessions kept 30 days, roll-ups only when a test runs one
 * (the periodic interval is a day), no session timing out meanwhile. Registered on a static field,
 * it boots the node and waits for its startup jobs (roll-up, back-fill, retention) before the
 * class's own {@code @BeforeAll}, so they do not run over what a test seeds.
 */
final class RetentionNode implements BeforeAllCallback, AfterAllCallback {

  private final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject().put("rollup_interval_seconds", 86_400).put("retention_days", 30))
              .put("sessions", new JsonObject().put("timeout_seconds", 86_400)));

  final Seed seed = new Seed();
  private LocalDate today;

  TestNode node() {
    return nodes.node();
  }

  /** the seed's today when the node had booted */
  LocalDate today() {
    return today;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    nodes.beforeAll(context);
    today = seed.today();
    Seed.startupJobsDone(node());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    nodes.afterAll(context);
  }

  /**
   * {@code n} ended one-minute sessions of content a by ten users in turn, the i-th (from 0)
   * starting at {@code from} + i × {@code step} and created at {@code createdAt} (an SQL expression
   * of {@code i}; null: when it started). {@code from} is an SQL timestamp expression.
   */
  void insertEnded(String from, int n, String step, String createdAt) {
    node()
        .sql(
            """
            INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
              device_key, ip_address, status, started_at, ended_at, last_heartbeat_at, duration_seconds, ended_reason,
              bytes_transferred, created_at)
            SELECT gen_random_uuid(), ('10000000-0000-0000-0000-' || lpad((i %% 10)::text, 12, '0'))::uuid, 'movie',
                   '00000000-0000-0000-0000-00000000000a', 'Alpha', 'c', 'd', 'k', '10.0.0.1', 'ended',
                   %1$s + i * interval '%3$s', %1$s + i * interval '%3$s' + interval '60 seconds',
                   %1$s + i * interval '%3$s' + interval '60 seconds', 60, 'client', 1000, %4$s
            FROM generate_series(0, %2$d - 1) i"""
                .formatted(
                    from,
                    n,
                    step,
                    createdAt == null ? from + " + i * interval '" + step + "'" : createdAt));
  }
}
