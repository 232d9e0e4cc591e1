package io.tracearr.analytics.detect;

import io.tracearr.analytics.db.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Every query of {@code user_rule_overrides}, {@code trusted_devices} and {@code user_trust}. The
 * reads are public (the gateway's query object for per-user controls and trust scores); the writes
 * are package-private: the detector is their one writer. Writes to a user the registry does not
 * know change nothing and return empty (404).
 */
public final class UserControlsStore {

  /** A user's score when they never had an alert. */
  public static final int FULL_TRUST = 100;

  private static final String CONTROLS =
      """
      SELECT o.exempt, o.exempt_until, o.thresholds,
             ARRAY(SELECT device_key FROM trusted_devices WHERE user_id = $1) AS trusted
      FROM (SELECT 1) one LEFT JOIN user_rule_overrides o ON o.user_id = $1""";

  private static final String RULES =
      """
      SELECT u.id, o.exempt, o.exempt_until, o.thresholds, o.updated_at, o.updated_by
      FROM users u LEFT JOIN user_rule_overrides o ON o.user_id = u.id WHERE u.id = $1""";

  /** The previous rules come back with the new ones (before/after for the audit log). */
  private static final String PUT_RULES =
      """
      WITH old AS (SELECT * FROM user_rule_overrides WHERE user_id = $1),
      up AS (
        INSERT INTO user_rule_overrides AS o (user_id, exempt, exempt_until, thresholds, updated_at, updated_by)
        SELECT $1, $2::text[], $3, $4::jsonb, now(), $5 WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
        ON CONFLICT (user_id) DO UPDATE SET exempt = EXCLUDED.exempt, exempt_until = EXCLUDED.exempt_until,
          thresholds = EXCLUDED.thresholds, updated_at = now(), updated_by = EXCLUDED.updated_by
        RETURNING *)
      SELECT up.user_id AS id, up.exempt, up.exempt_until, up.thresholds, up.updated_at, up.updated_by,
             old.user_id AS old_id, old.exempt AS old_exempt, old.exempt_until AS old_exempt_until,
             old.thresholds AS old_thresholds, old.updated_at AS old_updated_at, old.updated_by AS old_updated_by
      FROM up LEFT JOIN old ON true""";

  private static final String TRUSTED =
      """
      SELECT u.id, t.device_key, t.label, t.created_at, t.created_by
      FROM users u LEFT JOIN trusted_devices t ON t.user_id = u.id
      WHERE u.id = $1 ORDER BY t.created_at, t.device_key""";

  private static final String TRUST_DEVICE =
      """
      WITH ins AS (
        INSERT INTO trusted_devices (user_id, device_key, label, created_by)
        SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM users WHERE id = $1)
        ON CONFLICT (user_id, device_key) DO NOTHING
        RETURNING device_key, label, created_at, created_by)
      SELECT *, true AS inserted FROM ins
      UNION ALL
      SELECT device_key, label, created_at, created_by, false FROM trusted_devices
      WHERE user_id = $1 AND device_key = $2 AND NOT EXISTS (SELECT 1 FROM ins)""";

  private static final String UNTRUST_DEVICE =
      """
      DELETE FROM trusted_devices WHERE user_id = $1 AND device_key = $2
      RETURNING device_key, label, created_at, created_by""";

  private static final String TRUST =
      "SELECT user_id, score FROM user_trust WHERE user_id = ANY($1)";

  /**
   * Least trusted first; users who never had an alert (no row) are at 100. Keyset on (score, id).
   */
  private static final String BY_TRUST =
      """
      SELECT u.id, coalesce(t.score, 100) AS score FROM users u LEFT JOIN user_trust t ON t.user_id = u.id
      WHERE ($1::text IS NULL OR u.name ILIKE '%' || $1 || '%')
        AND ($2::uuid IS NULL OR u.id = $2)
        AND ($3::int IS NULL OR (coalesce(t.score, 100), u.id) > ($3, $4::uuid))
      ORDER BY coalesce(t.score, 100), u.id
      LIMIT $5""";

  /**
   * Daily recovery through {@code $2} (a finished UTC day): each day after both the last alert and
   * the last recovery gives {@code $1} back, so re-running for the same day, or after missed days,
   * never counts a day twice.
   */
  private static final String RECOVER =
      """
      UPDATE user_trust
      SET score = least(100, score + $1 * ($2::date - greatest(last_alert_on, recovered_through))),
          recovered_through = $2
      WHERE score < 100 AND recovered_through < $2 AND last_alert_on < $2""";

  /** One user's place in the least-trusted list. */
  public record Ranked(UUID id, int score) {}

  private final Pool pool;

  public UserControlsStore(Pool pool) {
    this.pool = pool;
  }

  // ---- reads (public)

  /** What the rules need for one user; {@link UserControls#NONE} when nothing is set. */
  public Future<UserControls> controls(UUID user) {
    return pool.preparedQuery(CONTROLS)
        .execute(Tuple.of(user))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              String[] trusted = r.getArrayOfStrings("trusted");
              String[] exempt = r.getArrayOfStrings("exempt");
              if ((trusted == null || trusted.length == 0) && exempt == null)
                return UserControls.NONE;
              Map<String, Number> thresholds = new HashMap<>();
              JsonObject t = json(r.getValue("thresholds"));
              if (t != null) for (String k : t.fieldNames()) thresholds.put(k, t.getNumber(k));
              return new UserControls(
                  exempt == null ? Set.of() : Set.of(exempt),
                  instant(r.getOffsetDateTime("exempt_until")),
                  thresholds,
                  trusted == null ? Set.of() : Set.of(trusted));
            });
  }

  /** The rules set for one user (GET /users/{id}/rules); empty for an unknown user. */
  public Future<Optional<JsonObject>> rules(UUID user) {
    return pool.preparedQuery(RULES)
        .execute(Tuple.of(user))
        .map(rows -> Rows.first(rows, r -> rulesJson(r, "")));
  }

  /** The user's trusted devices, oldest first; empty for an unknown user. */
  public Future<Optional<JsonArray>> trustedDevices(UUID user) {
    return pool.preparedQuery(TRUSTED)
        .execute(Tuple.of(user))
        .map(
            rows -> {
              if (rows.rowCount() == 0) return Optional.<JsonArray>empty();
              JsonArray out = new JsonArray();
              for (Row r : rows) if (r.getString("device_key") != null) out.add(deviceJson(r));
              return Optional.of(out);
            });
  }

  /** Trust scores of these users (100 for those without a row). */
  public Future<Map<UUID, Integer>> trust(List<UUID> users) {
    if (users.isEmpty()) return Future.succeededFuture(Map.of());
    return pool.preparedQuery(TRUST)
        .execute(Tuple.of(users.toArray(UUID[]::new)))
        .map(
            rows -> {
              Map<UUID, Integer> out = new LinkedHashMap<>();
              for (UUID u : users) out.put(u, FULL_TRUST);
              for (Row r : rows) out.put(r.getUUID("user_id"), r.getInteger("score"));
              return out;
            });
  }

  /**
   * A page of users, least trusted first (ask for limit + 1); {@code afterScore}/{@code afterId}
   * are the last row of the previous page, or null.
   */
  public Future<List<Ranked>> leastTrusted(
      String q, UUID only, Integer afterScore, UUID afterId, int limit) {
    String like = q == null || q.isBlank() ? null : likeEscaped(q.strip());
    Tuple t =
        Tuple.tuple()
            .addString(like)
            .addUUID(only)
            .addInteger(afterScore)
            .addUUID(afterId)
            .addInteger(limit);
    return pool.preparedQuery(BY_TRUST)
        .execute(t)
        .map(rows -> Rows.all(rows, r -> new Ranked(r.getUUID("id"), r.getInteger("score"))));
  }

  // ---- writes (the detector's)

  /** The rules after and before ({@code {"rules", "before"}}); empty for an unknown user. */
  Future<Optional<JsonObject>> putRules(UUID user, UserRulesInput.Rules rules, String by) {
    Tuple t =
        Tuple.tuple()
            .addUUID(user)
            .addArrayOfString(rules.exempt().toArray(String[]::new))
            .addOffsetDateTime(
                rules.exemptUntil() == null ? null : rules.exemptUntil().atOffset(ZoneOffset.UTC))
            .addValue(rules.thresholdsJson())
            .addString(by);
    return pool.preparedQuery(PUT_RULES)
        .execute(t)
        .map(
            rows ->
                Rows.first(
                    rows,
                    r ->
                        new JsonObject()
                            .put("rules", rulesJson(r, ""))
                            .put("before", rulesJson(r, "old_"))));
  }

  /** {@code {"device", "inserted"}}; empty for an unknown user. */
  Future<Optional<JsonObject>> trustDevice(UUID user, String deviceKey, String label, String by) {
    return pool.preparedQuery(TRUST_DEVICE)
        .execute(Tuple.of(user, deviceKey, label, by))
        .map(
            rows ->
                Rows.first(
                    rows,
                    r ->
                        new JsonObject()
                            .put("device", deviceJson(r))
                            .put("inserted", r.getBoolean("inserted"))));
  }

  /** The device no longer trusted; empty when it was not. */
  Future<Optional<JsonObject>> untrustDevice(UUID user, String deviceKey) {
    return pool.preparedQuery(UNTRUST_DEVICE)
        .execute(Tuple.of(user, deviceKey))
        .map(rows -> Rows.first(rows, UserControlsStore::deviceJson));
  }

  /**
   * Gives back {@code perDay} for each day without an alert up to {@code through}; rows changed.
   */
  Future<Integer> recover(LocalDate through, int perDay) {
    if (perDay <= 0) return Future.succeededFuture(0);
    return pool.preparedQuery(RECOVER)
        .execute(Tuple.of(perDay, through))
        .map(rows -> rows.rowCount());
  }

  // ---- JSON

  /** The rules of a row whose columns carry {@code prefix}; all defaults when nothing was set. */
  private static JsonObject rulesJson(Row r, String prefix) {
    String[] exempt = r.getArrayOfStrings(prefix + "exempt");
    JsonObject thresholds = json(r.getValue(prefix + "thresholds"));
    JsonArray ex = new JsonArray();
    if (exempt != null) java.util.Arrays.stream(exempt).sorted().forEach(ex::add);
    return new JsonObject()
        .put("exempt", ex)
        .put("exempt_until", iso(r.getOffsetDateTime(prefix + "exempt_until")))
        .put("thresholds", thresholds == null ? new JsonObject() : thresholds)
        .put("updated_at", iso(r.getOffsetDateTime(prefix + "updated_at")))
        .put("updated_by", r.getString(prefix + "updated_by"));
  }

  private static JsonObject deviceJson(Row r) {
    return new JsonObject()
        .put("device_key", r.getString("device_key"))
        .put("label", r.getString("label"))
        .put("created_at", iso(r.getOffsetDateTime("created_at")))
        .put("created_by", r.getString("created_by"));
  }

  private static JsonObject json(Object value) {
    if (value == null) return null;
    return value instanceof JsonObject j ? j : new JsonObject(String.valueOf(value));
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  /** {@code q} is matched literally, as in the people list. */
  private static String likeEscaped(String q) {
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
