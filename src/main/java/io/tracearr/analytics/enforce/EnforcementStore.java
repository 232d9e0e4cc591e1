package io.tracearr.analytics.enforce;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.db.BatchedDelete;
import io.tracearr.analytics.db.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code enforcement_actions} and {@code audit_log}. The reads are public (the gateway's alert JSON
 * and {@code /audit}); the writes are package-private: only {@link EnforcementVerticle} writes.
 */
public final class EnforcementStore {

  private static final String ACTION_COLUMNS =
      "id, alert_id, user_id, rule, action, created_at, due_at, outcome, detail, session_ids, done_at";

  private static final String INTEND =
      """
      INSERT INTO enforcement_actions (id, alert_id, user_id, rule, action, due_at)
      VALUES ($1, $2, $3, $4, $5::jsonb, now() + make_interval(secs => $6))
      ON CONFLICT (alert_id) DO NOTHING""";

  /**
   * The catch-up for an intent lost with its node (the alert committed, the node died before it
   * stored the action): open alerts of the rule raised in the last 10 minutes, since its action was
   * last set, that have no stored action, due at raised + delay. Reads the detector's alerts;
   * writes only enforcement_actions. The unique alert_id makes a race with the intake a no-op.
   */
  private static final String CATCH_UP =
      """
      INSERT INTO enforcement_actions (id, alert_id, user_id, rule, action, due_at)
      SELECT gen_random_uuid(), a.id, a.user_id, a.alert_type, $2::jsonb, a.created_at + make_interval(secs => $3)
      FROM sharing_alerts a
      WHERE a.alert_type = $1 AND a.status = 'open'
        AND a.created_at > now() - interval '10 minutes' AND a.created_at < now() - interval '2 seconds'
        AND a.created_at >= COALESCE((SELECT updated_at FROM rule_settings WHERE rule = $1), '-infinity')
        AND NOT EXISTS (SELECT 1 FROM enforcement_actions e WHERE e.alert_id = a.id)
      ON CONFLICT (alert_id) DO NOTHING""";

  /**
   * due, unfinished, not held by a live claim: taken by one node, the others skip the locked rows
   */
  private static final String CLAIM =
      """
      UPDATE enforcement_actions SET claimed_by = $1, claimed_until = now() + make_interval(secs => $2)
      WHERE id IN (
        SELECT id FROM enforcement_actions
        WHERE outcome IS NULL AND due_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
        ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING %s"""
          .formatted(ACTION_COLUMNS);

  /** only the claim's holder finishes it (a claim taken over meanwhile wins) */
  private static final String FINISH =
      """
      UPDATE enforcement_actions SET outcome = $3, detail = $4, session_ids = $5, done_at = now(),
        claimed_until = NULL
      WHERE id = $1 AND claimed_by = $2 AND outcome IS NULL
      RETURNING %s"""
          .formatted(ACTION_COLUMNS);

  private static final String LAST_RUN =
      """
      SELECT max(done_at) FROM enforcement_actions
      WHERE user_id = $1 AND rule = $2 AND outcome = 'terminated' AND id <> $3""";

  private static final String FOR_ALERTS =
      "SELECT %s FROM enforcement_actions WHERE alert_id = ANY($1) ORDER BY created_at"
          .formatted(ACTION_COLUMNS);

  private static final String AUDIT_INSERT =
      """
      INSERT INTO audit_log (id, actor, action, target, result, status, before, after)
      VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb)""";

  private static final String AUDIT_LIST =
      """
      SELECT id, at, actor, action, target, result, status, before, after FROM audit_log
      WHERE ($1::text IS NULL OR actor = $1)
        AND ($2::text IS NULL OR action = $2)
        AND ($3::timestamptz IS NULL OR (at, id) < ($3, $4::uuid))
      ORDER BY at DESC, id DESC
      LIMIT $5""";

  private static final String AUDIT_EXPIRE =
      "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 LIMIT $2)";

  private final Pool pool;

  public EnforcementStore(Pool pool) {
    this.pool = pool;
  }

  // ---- reads

  /** The actions of these alerts, by alert id, oldest first. */
  public Future<Map<String, JsonArray>> actionsFor(List<UUID> alertIds) {
    if (alertIds.isEmpty()) return Future.succeededFuture(Map.of());
    return pool.preparedQuery(FOR_ALERTS)
        .execute(Tuple.of(alertIds.toArray(UUID[]::new)))
        .map(
            rows -> {
              Map<String, JsonArray> by = new HashMap<>();
              for (Row r : rows)
                by.computeIfAbsent(r.getUUID("alert_id").toString(), k -> new JsonArray())
                    .add(actionJson(r));
              return by;
            });
  }

  public Future<List<JsonObject>> audit(
      String actor, String action, KeysetCursor before, int limit) {
    return pool.preparedQuery(AUDIT_LIST)
        .execute(
            Tuple.tuple()
                .addString(actor)
                .addString(action)
                .addOffsetDateTime(before == null ? null : before.at().atOffset(ZoneOffset.UTC))
                .addUUID(before == null ? null : before.id())
                .addInteger(limit))
        .map(rows -> Rows.all(rows, EnforcementStore::auditJson));
  }

  // ---- writes (the enforcement verticle's)

  /** Stores the lost intents of {@code rule}'s recent alerts; how many. */
  Future<Integer> catchUp(String rule, JsonObject action, int delaySeconds) {
    return pool.preparedQuery(CATCH_UP)
        .execute(Tuple.of(rule, action.encode(), (double) delaySeconds))
        .map(rows -> rows.rowCount());
  }

  Future<Boolean> intend(
      UUID alertId, UUID userId, String rule, JsonObject action, int delaySeconds) {
    return pool.preparedQuery(INTEND)
        .execute(
            Tuple.of(
                UUID.randomUUID(), alertId, userId, rule, action.encode(), (double) delaySeconds))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<List<JsonObject>> claim(String nodeId, int claimSeconds, int limit) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(nodeId, (double) claimSeconds, limit))
        .map(rows -> Rows.all(rows, EnforcementStore::actionJson));
  }

  Future<java.util.Optional<JsonObject>> finish(
      UUID id, String nodeId, String outcome, String detail, List<UUID> sessions) {
    return pool.preparedQuery(FINISH)
        .execute(Tuple.of(id, nodeId, outcome, detail, sessions.toArray(UUID[]::new)))
        .map(rows -> Rows.first(rows, EnforcementStore::actionJson));
  }

  /** When an action of this user and rule last terminated something (the cooldown's start). */
  Future<Instant> lastRun(UUID userId, String rule, UUID except) {
    return pool.preparedQuery(LAST_RUN)
        .execute(Tuple.of(userId, rule, except))
        .map(
            rows -> {
              OffsetDateTime t = rows.iterator().next().getOffsetDateTime(0);
              return t == null ? null : t.toInstant();
            });
  }

  Future<Void> audit(JsonObject e) {
    return pool.preparedQuery(AUDIT_INSERT)
        .execute(
            Tuple.tuple()
                .addUUID(UUID.randomUUID())
                .addString(clip(e.getString("actor", "unknown"), 200))
                .addString(clip(e.getString("action", "unknown"), 100))
                .addString(clip(e.getString("target"), 500))
                .addString(e.getString("result", "ok"))
                .addInteger(e.getInteger("status", 200))
                .addString(json(e.getValue("before")))
                .addString(json(e.getValue("after"))))
        .mapEmpty();
  }

  Future<Long> expireAudit(Instant cutoff) {
    return BatchedDelete.run(pool, AUDIT_EXPIRE, Tuple.of(cutoff.atOffset(ZoneOffset.UTC)), 5000);
  }

  private static String json(Object v) {
    if (v == null) return null;
    if (v instanceof JsonObject o) return o.encode();
    if (v instanceof JsonArray a) return a.encode();
    return new JsonObject().put("value", v).encode();
  }

  private static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  static JsonObject actionJson(Row r) {
    Object action = r.getValue("action");
    JsonArray sessions = new JsonArray();
    UUID[] ids = r.getArrayOfUUIDs("session_ids");
    if (ids != null) for (UUID id : ids) sessions.add(id.toString());
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("alert_id", r.getUUID("alert_id").toString())
        .put("user_id", r.getUUID("user_id").toString())
        .put("rule", r.getString("rule"))
        .put("action", jsonb(action))
        .put("created_at", iso(r.getOffsetDateTime("created_at")))
        .put("due_at", iso(r.getOffsetDateTime("due_at")))
        .put("outcome", r.getString("outcome"))
        .put("detail", r.getString("detail"))
        .put("session_ids", sessions)
        .put("done_at", iso(r.getOffsetDateTime("done_at")));
  }

  static JsonObject auditJson(Row r) {
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("at", iso(r.getOffsetDateTime("at")))
        .put("actor", r.getString("actor"))
        .put("action", r.getString("action"))
        .put("target", r.getString("target"))
        .put("result", r.getString("result"))
        .put("status", r.getInteger("status"))
        .put("before", jsonb(r.getValue("before")))
        .put("after", jsonb(r.getValue("after")));
  }

  private static Object jsonb(Object v) {
    if (v == null || v instanceof JsonObject || v instanceof JsonArray) return v;
    return io.vertx.core.json.Json.decodeValue(String.valueOf(v));
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
