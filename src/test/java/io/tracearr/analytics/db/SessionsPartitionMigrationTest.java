package io.tracearr.analytics.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestDatabase;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * V16 on a database filled by the schema before it (Flyway stopped at V15): ended sessions over
 * five months, open ones, one six years old (DEFAULT partition). After the migration every row is
 * there with every column unchanged (count and a checksum of all columns), each has its guard row,
 * and the service serves the open sessions: a heartbeat, an end, a new start and its retry.
 */
class SessionsPartitionMigrationTest {

  static final String OPEN = "30000000-0000-0000-0000-000000000001";
  static final String ALL_COLUMNS =
      """
      ROW(id, user_id, content_type, content_id, content_title, client_name, device_name, device_id, device_key,
          ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred, status, started_at, ended_at,
          last_heartbeat_at, duration_seconds, position_seconds, ended_reason, geo_city, geo_country, geo_latitude,
          geo_longitude, geo_accuracy_km, created_at, server_id)::text""";
  static final String CHECKSUM =
      "SELECT count(*) || ':' || md5(string_agg("
          + ALL_COLUMNS
          + ", '|' ORDER BY id))"
          + " FROM playback_sessions";

  static String before;
  static long rows;

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
              new JsonObject().put("sessions", new JsonObject().put("timeout_seconds", 86_400)))
          .seededBeforeBoot(SessionsPartitionMigrationTest::fillAtV15ThenMigrate);

  static final TestNode node = nodes.node();

  static void fillAtV15ThenMigrate(DatabaseUrl db) {
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement()) {
      // the fresh database comes migrated: start again from nothing and stop at V15
      st.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
      flyway(db).target("15").load().migrate();
      st.execute(
          """
          INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name,
            device_name, device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred,
            status, started_at, ended_at, last_heartbeat_at, duration_seconds, position_seconds, ended_reason,
            geo_city, geo_country, geo_latitude, geo_longitude, geo_accuracy_km, created_at, server_id)
          SELECT ('20000000-0000-4000-a000-' || lpad(to_hex(i), 12, '0'))::uuid,
                 ('20000000-0000-4000-b000-' || lpad(to_hex(i % 37), 12, '0'))::uuid,
                 (ARRAY['movie', 'episode', 'track', 'live', 'other'])[1 + i % 5],
                 ('20000000-0000-4000-c000-' || lpad(to_hex(i % 101), 12, '0'))::uuid,
                 CASE WHEN i % 7 = 0 THEN NULL ELSE 'Title ' || i END, 'Client', 'Device ' || (i % 5),
                 CASE WHEN i % 3 = 0 THEN 'dev-' || i END, 'Device ' || (i % 5) || ' / Client',
                 ('10.0.' || (i % 250) || '.' || (i % 200))::inet, i % 4 = 0,
                 CASE WHEN i % 2 = 0 THEN '1080p' END, i % 9000, i * 1000, 'ended',
                 st, st + make_interval(secs => i % 7200), st + make_interval(secs => i % 7200),
                 (i % 7200) * 0.75, (i % 7200) + 0.5, (ARRAY['client', 'timeout', 'admin', 'terminated', 'imported'])[1 + i % 5],
                 CASE WHEN i % 6 = 0 THEN 'Paris' END, CASE WHEN i % 6 = 0 THEN 'FR' END,
                 CASE WHEN i % 6 = 0 THEN 48.85 + i * 1e-6 END, CASE WHEN i % 6 = 0 THEN 2.35 END,
                 CASE WHEN i % 6 = 0 THEN 25 END,
                 st + make_interval(secs => i % 600),
                 CASE WHEN i % 4 = 1 THEN '20000000-0000-4000-d000-000000000001'::uuid END
          FROM (SELECT i, now() - interval '150 days' + i * interval '1 hour' AS st
                FROM generate_series(1, 3500) i) g""");
      // open sessions (one the test heartbeats and ends) and one six years old
      st.execute(
          """
          INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
            ip_address, status, started_at, last_heartbeat_at, created_at, bandwidth_kbps)
          SELECT ('30000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid, gen_random_uuid(), 'movie',
                 gen_random_uuid(), 'Client', 'Device', 'Device / Client', '10.1.1.1', 'playing',
                 now() - interval '3 minutes', now() - interval '1 minute', now() - interval '3 minutes', 8000
          FROM generate_series(1, 3) i;
          INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
            ip_address, status, started_at, ended_at, last_heartbeat_at, ended_reason, created_at)
          VALUES ('40000000-0000-0000-0000-000000000001', gen_random_uuid(), 'movie', gen_random_uuid(), 'Client',
            'Device', 'Device / Client', '10.1.1.2', 'ended', now() - interval '6 years',
            now() - interval '6 years' + interval '1 hour', now() - interval '6 years' + interval '1 hour', 'client',
            now() - interval '6 years')""");
      try (ResultSet rs = st.executeQuery(CHECKSUM)) {
        rs.next();
        before = rs.getString(1);
      }
      rows = 3500 + 3 + 1;
      flyway(db).load().migrate();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static org.flywaydb.core.api.configuration.FluentConfiguration flyway(DatabaseUrl db) {
    return Flyway.configure()
        .dataSource(db.jdbcUrl(), db.user(), db.password())
        .locations("classpath:db/migration");
  }

  @Test
  void everyRowMovesUnchangedAndTheServiceUsesThem() {
    assertEquals(rows + ":" + before.split(":")[1], before, "rows written at V15");
    // read first: the node may not have changed any row yet (no heartbeat was sent)
    assertEquals(before, scalar(CHECKSUM), "every row, every column, after V16");
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'playback_sessions'::regclass"));
    assertEquals(rows, node.count("SELECT count(*) FROM session_ids"));
    assertEquals(
        0,
        node.count(
            "SELECT count(*) FROM playback_sessions s LEFT JOIN session_ids g USING (id)"
                + " WHERE g.started_at IS DISTINCT FROM s.started_at"));
    // the six-year-old row is the DEFAULT partition's only one; the others have their month's
    assertEquals(1, node.count("SELECT count(*) FROM playback_sessions_default"));
    assertTrue(
        node.count(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'playback_sessions'::regclass")
            >= 8);
    assertEquals(
        0,
        node.count(
            "SELECT count(*) FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid"
                + " WHERE i.inhparent = 'playback_sessions'::regclass"
                + " AND COALESCE(c.reloptions::text, '') NOT LIKE '%fillfactor=80%'"),
        "every partition keeps the V4 fillfactor");

    String path = "/api/v1/analytics/sessions/" + OPEN;
    assertEquals(
        204,
        node.put(
                path,
                TestNode.INGEST_KEY,
                new JsonObject().put("status", "playing").put("position_seconds", 95))
            .statusCode());
    assertEquals(204, node.delete(path, TestNode.INGEST_KEY, null).statusCode());
    JsonObject ended = node.get(path, TestNode.ADMIN_KEY).bodyAsJsonObject();
    assertEquals("ended", ended.getString("status"), ended.encode());
    assertEquals(95.0, ended.getDouble("position_seconds"), ended.encode());
    assertTrue(ended.getDouble("duration_seconds") >= 60, ended.encode());

    JsonObject start =
        SessionBodies.start(UUID.randomUUID()).put("id", UUID.randomUUID().toString());
    assertEquals(
        201, node.post("/api/v1/analytics/sessions", TestNode.INGEST_KEY, start).statusCode());
    assertEquals(
        200, node.post("/api/v1/analytics/sessions", TestNode.INGEST_KEY, start).statusCode());
    assertEquals(rows + 1, node.count("SELECT count(*) FROM playback_sessions"));
    assertEquals(rows + 1, node.count("SELECT count(*) FROM session_ids"));
  }

  private static String scalar(String sql) {
    try (Connection c = TestDatabase.connect(node.database());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }
}
