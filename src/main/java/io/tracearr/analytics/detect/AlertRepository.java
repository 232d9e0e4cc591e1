package io.tracearr.analytics.detect;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.db.Rows;
import io.tracearr.analytics.detect.rules.Finding;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Every query {@code sharing_alerts} sees. The reads are public: this is the detector's query
 * object, which the gateway uses to list and show alerts. The writes are package-private: only the
 * detector writes alerts.
 */
public final class AlertRepository {

  static final String COLUMNS =
      """
      id, user_id, alert_type, severity, evidence, status, created_at, updated_at, occurrences,
      dismissed_at, dismissed_by, dismiss_reason""";

  /**
   * Records a finding in one statement; the database decides, so racing detectors on any number of
   * nodes agree. A finding is "covered" by an alert of the same user and type whose session_ids and
   * device_keys contain all of the finding's: re-judging the same sessions (sweeps, IP changes, a
   * second node) then changes nothing, and a dismissed alert keeps its sessions quiet. A finding
   * that is not covered inserts the open alert, or — when one is open (the partial unique index is
   * the arbiter) — replaces its evidence and severity, adds its sessions and devices, and counts
   * one more occurrence. The conditional DO UPDATE re-reads the row after waiting for a racing
   * insert, so the loser of a race sees the winner's sessions and does nothing. Returns no row when
   * nothing changed.
   */
  private static final String RECORD =
      """
      WITH rec AS (
        INSERT INTO sharing_alerts AS a (id, user_id, alert_type, severity, evidence, session_ids, device_keys, trust_penalty)
        SELECT $1, $2, $3, $4,
          jsonb_set($5::jsonb, '{trust_score}',
            to_jsonb(greatest(0, coalesce((SELECT score FROM user_trust WHERE user_id = $2), 100) - $8))),
          $6::uuid[], $7::text[], $8
        WHERE NOT EXISTS (
          SELECT 1 FROM sharing_alerts c
          WHERE c.user_id = $2 AND c.alert_type = $3 AND c.session_ids @> $6::uuid[] AND c.device_keys @> $7::text[])
        ON CONFLICT (user_id, alert_type) WHERE status = 'open' DO UPDATE SET
          evidence = jsonb_set(EXCLUDED.evidence, '{trust_score}',
            to_jsonb(coalesce((SELECT score FROM user_trust WHERE user_id = a.user_id), 100))),
          severity = EXCLUDED.severity,
          session_ids = ARRAY(SELECT DISTINCT s FROM unnest(a.session_ids || EXCLUDED.session_ids) AS s ORDER BY s),
          device_keys = ARRAY(SELECT DISTINCT d FROM unnest(a.device_keys || EXCLUDED.device_keys) AS d ORDER BY d),
          occurrences = a.occurrences + 1,
          updated_at = now()
        WHERE NOT (a.session_ids @> EXCLUDED.session_ids AND a.device_keys @> EXCLUDED.device_keys)
        RETURNING %s, (xmax = 0) AS inserted),
      trust AS (
        INSERT INTO user_trust (user_id, score, last_alert_on, recovered_through)
        SELECT user_id, greatest(0, 100 - $8), (now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date
        FROM rec WHERE inserted
        ON CONFLICT (user_id) DO UPDATE SET
          score = greatest(0, user_trust.score - $8),
          last_alert_on = greatest(user_trust.last_alert_on, EXCLUDED.last_alert_on))
      SELECT * FROM rec"""
          .formatted(COLUMNS);

  private static final String FIND = "SELECT " + COLUMNS + " FROM sharing_alerts WHERE id = $1";

  /** Every filter is optional (null); keyset pagination on (created_at, id), newest first. */
  private static final String LIST =
      """
      SELECT %s FROM sharing_alerts
      WHERE ($1::uuid IS NULL OR user_id = $1)
        AND ($2::text IS NULL OR status = $2)
        AND ($3::text IS NULL OR alert_type = $3)
        AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
      ORDER BY created_at DESC, id DESC
      LIMIT $6"""
          .formatted(COLUMNS);

  private static final String OPEN =
      "SELECT "
          + COLUMNS
          + " FROM sharing_alerts WHERE status = 'open' ORDER BY created_at DESC, id DESC LIMIT $1";

  /** For the notifier's catch-up sweep: alerts changed after {@code since}, oldest change first. */
  private static final String CHANGED_SINCE =
      """
      SELECT %s FROM sharing_alerts WHERE updated_at > $1 ORDER BY updated_at, id LIMIT $2"""
          .formatted(COLUMNS);

  private static final String COUNT_OPEN =
      "SELECT count(*) FROM sharing_alerts WHERE status = 'open'";

  private static final String OPEN_PER_USER =
      """
      SELECT user_id, count(*) FROM sharing_alerts WHERE status = 'open' AND user_id = ANY($1::uuid[]) GROUP BY user_id""";

  /**
   * Only an open alert changes; a repeated dismissal finds nothing here and the caller reads the
   * row.
   */
  private static final String DISMISS =
      """
      WITH d AS (
        UPDATE sharing_alerts
        SET status = 'dismissed', dismissed_at = now(), dismissed_by = $2, dismiss_reason = $3, updated_at = now()
        WHERE id = $1 AND status = 'open'
        RETURNING %s, trust_penalty),
      trust AS (
        UPDATE user_trust t SET score = least(100, t.score + d.trust_penalty) FROM d WHERE t.user_id = d.user_id)
      SELECT * FROM d"""
          .formatted(COLUMNS);

  /** The most open alerts one dashboard snapshot carries. */
  public static final int OPEN_LIMIT = 1000;

  /** A finding that changed the alerts: a new open alert ({@code inserted}) or an updated one. */
  public record Recorded(JsonObject alert, boolean inserted) {}

  /** The result of a dismissal: the alert, and whether this call dismissed it. */
  public record Dismissal(JsonObject alert, boolean changed) {}

  public record Filter(UUID userId, String status, String alertType) {}

  private final Pool pool;

  public AlertRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Empty when the finding was already covered (see {@link #RECORD}). A new alert takes {@code
   * trustPenalty} from the user's trust score in the same statement (kept on the alert, given back
   * by its dismissal); every alert's evidence carries the user's {@code trust_score} after it.
   */
  Future<Optional<Recorded>> record(UUID userId, Finding finding, int trustPenalty) {
    Tuple t =
        Tuple.tuple()
            .addUUID(UUID.randomUUID())
            .addUUID(userId)
            .addString(finding.alertType())
            .addString(finding.severity())
            .addValue(finding.evidence())
            .addArrayOfUUID(finding.sessionIds().stream().sorted().toArray(UUID[]::new))
            .addArrayOfString(finding.deviceKeys().stream().sorted().toArray(String[]::new))
            .addInteger(trustPenalty);
    return pool.preparedQuery(RECORD)
        .execute(t)
        .map(
            rows -> {
              var it = rows.iterator();
              if (!it.hasNext()) return Optional.<Recorded>empty();
              Row r = it.next();
              return Optional.of(new Recorded(toJson(r), r.getBoolean("inserted")));
            })
        .recover(
            err -> {
              // the unique index refused a second open alert: another detector got there first
              if (err instanceof PgException pg && "23505".equals(pg.getSqlState()))
                return Future.succeededFuture(Optional.empty());
              return Future.failedFuture(err);
            });
  }

  public Future<Optional<JsonObject>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(AlertRepository::first);
  }

  /** A page, newest first; {@code before} is the last alert of the previous page. */
  public Future<List<JsonObject>> list(Filter filter, KeysetCursor before, int limit) {
    Tuple t =
        Tuple.tuple()
            .addUUID(filter.userId())
            .addString(filter.status())
            .addString(filter.alertType())
            .addOffsetDateTime(before == null ? null : before.at().atOffset(ZoneOffset.UTC))
            .addUUID(before == null ? null : before.id())
            .addInteger(limit);
    return pool.preparedQuery(LIST).execute(t).map(AlertRepository::all);
  }

  public Future<List<JsonObject>> open() {
    return pool.preparedQuery(OPEN).execute(Tuple.of(OPEN_LIMIT)).map(AlertRepository::all);
  }

  /**
   * Alerts whose row changed (raised, updated, dismissed) after {@code since}, oldest change first.
   */
  public Future<List<JsonObject>> changedSince(java.time.Instant since, int limit) {
    return pool.preparedQuery(CHANGED_SINCE)
        .execute(Tuple.of(since.atOffset(ZoneOffset.UTC), limit))
        .map(AlertRepository::all);
  }

  public Future<Long> countOpen() {
    return pool.query(COUNT_OPEN).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** Open alerts per user, for the people list (users without one are absent). */
  public Future<java.util.Map<UUID, Long>> countOpenPerUser(List<UUID> users) {
    if (users.isEmpty()) return Future.succeededFuture(java.util.Map.of());
    return pool.preparedQuery(OPEN_PER_USER)
        .execute(Tuple.of(users.toArray(UUID[]::new)))
        .map(
            rows -> {
              java.util.Map<UUID, Long> counts = new java.util.HashMap<>();
              for (Row r : rows) counts.put(r.getUUID(0), r.getLong(1));
              return counts;
            });
  }

  /** Empty when there is no such alert. */
  Future<Optional<Dismissal>> dismiss(UUID id, String by, String reason) {
    return pool.preparedQuery(DISMISS)
        .execute(Tuple.of(id, by, reason))
        .compose(
            rows -> {
              Optional<JsonObject> dismissed = first(rows);
              if (dismissed.isPresent())
                return Future.succeededFuture(Optional.of(new Dismissal(dismissed.get(), true)));
              return find(id).map(existing -> existing.map(alert -> new Dismissal(alert, false)));
            });
  }

  private static Optional<JsonObject> first(RowSet<Row> rows) {
    return Rows.first(rows, AlertRepository::toJson);
  }

  private static List<JsonObject> all(RowSet<Row> rows) {
    return Rows.all(rows, AlertRepository::toJson);
  }

  /** The API representation of an alert (also the payload of the alert events). */
  public static JsonObject toJson(Row r) {
    Object evidence = r.getValue("evidence");
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("user_id", r.getUUID("user_id").toString())
        .put("alert_type", r.getString("alert_type"))
        .put("severity", r.getString("severity"))
        .put(
            "evidence",
            evidence instanceof JsonObject j ? j : new JsonObject(String.valueOf(evidence)))
        .put("status", r.getString("status"))
        .put("created_at", iso(r.getOffsetDateTime("created_at")))
        .put("updated_at", iso(r.getOffsetDateTime("updated_at")))
        .put("occurrences", r.getInteger("occurrences"))
        .put("dismissed_at", iso(r.getOffsetDateTime("dismissed_at")))
        .put("dismissed_by", r.getString("dismissed_by"))
        .put("dismiss_reason", r.getString("dismiss_reason"));
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
