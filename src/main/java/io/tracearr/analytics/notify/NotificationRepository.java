package io.tracearr.analytics.notify;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.db.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Every query {@code notification_channels} and {@code notification_deliveries} see. The reads are
 * public (the gateway lists channels and deliveries through them); the writes are package-private:
 * the notifier is the one writer of both tables.
 */
public final class NotificationRepository {

  /** A stored channel: its spec (secrets included, never for a response) and where it came from. */
  public record StoredChannel(
      ChannelSpec spec, String source, Instant createdAt, Instant updatedAt) {
    /** The API representation: the spec without secrets, plus source and times. */
    public JsonObject toJson() {
      return spec.toJson()
          .put("source", source)
          .put("created_at", createdAt.toString())
          .put("updated_at", updatedAt.toString());
    }
  }

  /** A claimed delivery, with the channel's spec as it is now. */
  record Claimed(
      UUID id,
      UUID channelId,
      String event,
      JsonObject payload,
      Instant occurredAt,
      int attempts,
      JsonObject spec) {}

  private static final String CHANNEL_COLUMNS = "id, spec, source, created_at, updated_at";
  private static final String LIST_CHANNELS =
      "SELECT " + CHANNEL_COLUMNS + " FROM notification_channels ORDER BY name";
  private static final String FIND_CHANNEL =
      "SELECT " + CHANNEL_COLUMNS + " FROM notification_channels WHERE id = $1";
  private static final String INSERT_CHANNEL =
      """
      INSERT INTO notification_channels (id, name, type, spec, source) VALUES ($1, $2, $3, $4::jsonb, 'api')
      RETURNING %s"""
          .formatted(CHANNEL_COLUMNS);
  private static final String UPDATE_CHANNEL =
      """
      UPDATE notification_channels SET name = $2, spec = $3::jsonb, updated_at = now() WHERE id = $1
      RETURNING %s"""
          .formatted(CHANNEL_COLUMNS);
  private static final String DELETE_CHANNEL = "DELETE FROM notification_channels WHERE id = $1";

  /** Config channels are upserted by every booting node; an unchanged spec writes nothing. */
  private static final String UPSERT_CONFIG_CHANNEL =
      """
      INSERT INTO notification_channels (id, name, type, spec, source) VALUES ($1, $2, $3, $4::jsonb, 'config')
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, spec = EXCLUDED.spec, updated_at = now()
      WHERE notification_channels.spec IS DISTINCT FROM EXCLUDED.spec OR notification_channels.name <> EXCLUDED.name""";

  private static final String DELETE_STALE_CONFIG =
      """
      DELETE FROM notification_channels WHERE source = 'config' AND NOT (id = ANY($1::uuid[]))""";

  /**
   * One statement per event: a row per channel that still exists (deleted meanwhile: skipped rather
   * than an FK error) and, for the catch-up sweep, existed when the event happened (a new channel
   * is not sent the past). {@code ON CONFLICT DO NOTHING} on (channel_id, event_key) makes every
   * further writer a no-op.
   */
  private static final String INSERT_DELIVERIES =
      """
      INSERT INTO notification_deliveries (id, channel_id, event, event_key, payload, occurred_at)
      SELECT gen_random_uuid(), c.id, $2, $3, $4::jsonb, $5
      FROM notification_channels c
      WHERE c.id = ANY($1::uuid[]) AND ($6::boolean IS NOT TRUE OR c.created_at <= $5)
      ON CONFLICT (channel_id, event_key) DO NOTHING
      RETURNING id""";

  /**
   * Due rows, and rows whose claimer died (claim expired), one node at a time: SKIP LOCKED lets
   * nodes claim side by side without waiting on each other's rows.
   */
  /**
   * Due rows, oldest first, at most $4 in flight per channel across the cluster (claims of every
   * node count): a receiver that hangs holds $4 slots, and the other channels' deliveries keep
   * going. The locking sub-select re-checks that a row is still due (another node may have claimed
   * it since the plan was made).
   */
  private static final String CLAIM =
      """
      WITH busy AS (
        SELECT channel_id, count(*) AS n FROM notification_deliveries
        WHERE status = 'delivering' AND claimed_until >= now()
        GROUP BY channel_id
      ), due AS (
        SELECT id, channel_id, next_attempt_at,
               row_number() OVER (PARTITION BY channel_id ORDER BY next_attempt_at, id) AS rn
        FROM notification_deliveries
        WHERE (status = 'pending' AND next_attempt_at <= now()) OR (status = 'delivering' AND claimed_until < now())
      ), pick AS (
        SELECT due.id FROM due LEFT JOIN busy USING (channel_id)
        WHERE due.rn + coalesce(busy.n, 0) <= $4
        ORDER BY due.next_attempt_at
        LIMIT $3
      )
      UPDATE notification_deliveries d
      SET status = 'delivering', claimed_by = $1, claimed_until = now() + make_interval(secs => $2)
      FROM notification_channels c
      WHERE c.id = d.channel_id AND d.id IN (
        SELECT id FROM notification_deliveries
        WHERE id IN (SELECT id FROM pick)
          AND ((status = 'pending' AND next_attempt_at <= now()) OR (status = 'delivering' AND claimed_until < now()))
        FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.channel_id, d.event, d.payload, d.occurred_at, d.attempts, c.spec""";

  /**
   * Only while the claim is still ours: a node whose claim expired and was taken over writes
   * nothing.
   */
  private static final String FINISH =
      """
      UPDATE notification_deliveries
      SET status = $2, attempts = attempts + 1, next_attempt_at = coalesce($3, next_attempt_at), last_status = $4,
          last_error = $5, delivered_at = CASE WHEN $2 = 'delivered' THEN now() END, claimed_by = NULL, claimed_until = NULL
      WHERE id = $1 AND claimed_by = $6""";

  private static final String RELEASE =
      """
      UPDATE notification_deliveries SET status = 'pending', next_attempt_at = $2, claimed_by = NULL, claimed_until = NULL,
        last_error = coalesce($4, last_error)
      WHERE id = $1 AND claimed_by = $3""";

  private static final String DELIVERY_COLUMNS =
      """
      d.id, d.channel_id, c.name AS channel_name, c.type AS channel_type, d.event, d.event_key, d.payload, d.occurred_at,
      d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.delivered_at, d.created_at""";

  private static final String RETRY =
      """
      WITH r AS (
        UPDATE notification_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now()
        WHERE id = $1 AND status = 'failed' RETURNING *)
      SELECT %s FROM r d JOIN notification_channels c ON c.id = d.channel_id"""
          .formatted(DELIVERY_COLUMNS);

  private static final String FIND_DELIVERY =
      """
      SELECT %s FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id WHERE d.id = $1"""
          .formatted(DELIVERY_COLUMNS);

  private static final String LIST_DELIVERIES =
      """
      SELECT %s FROM notification_deliveries d JOIN notification_channels c ON c.id = d.channel_id
      WHERE ($1::text IS NULL OR d.status = $1)
        AND ($2::uuid IS NULL OR d.channel_id = $2)
        AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3, $4::uuid))
      ORDER BY d.created_at DESC, d.id DESC
      LIMIT $5"""
          .formatted(DELIVERY_COLUMNS);

  private static final String COUNT_PENDING =
      "SELECT count(*) FROM notification_deliveries WHERE status IN ('pending', 'delivering')";
  private static final String USER_NAME = "SELECT name FROM users WHERE id = $1";
  private static final String WATERMARK =
      "SELECT swept_until, now() AS now FROM notification_sweep WHERE id = 1";
  private static final String SET_WATERMARK =
      "UPDATE notification_sweep SET swept_until = $1 WHERE id = 1 AND swept_until < $1";

  private final Pool pool;

  public NotificationRepository(Pool pool) {
    this.pool = pool;
  }

  // ---- reads (public)
  // ----------------------------------------------------------------------------------------

  public Future<List<StoredChannel>> channels() {
    return pool.query(LIST_CHANNELS)
        .execute()
        .map(rows -> Rows.all(rows, NotificationRepository::channel));
  }

  public Future<Optional<StoredChannel>> channel(UUID id) {
    return pool.preparedQuery(FIND_CHANNEL)
        .execute(Tuple.of(id))
        .map(rows -> Rows.first(rows, NotificationRepository::channel));
  }

  public Future<Optional<JsonObject>> delivery(UUID id) {
    return pool.preparedQuery(FIND_DELIVERY)
        .execute(Tuple.of(id))
        .map(rows -> Rows.first(rows, NotificationRepository::delivery));
  }

  /**
   * A page of the delivery log, newest first; {@code before} is the last delivery of the previous
   * page.
   */
  public Future<List<JsonObject>> deliveries(
      String status, UUID channelId, KeysetCursor before, int limit) {
    Tuple t =
        Tuple.tuple()
            .addString(status)
            .addUUID(channelId)
            .addOffsetDateTime(before == null ? null : before.at().atOffset(ZoneOffset.UTC))
            .addUUID(before == null ? null : before.id())
            .addInteger(limit);
    return pool.preparedQuery(LIST_DELIVERIES)
        .execute(t)
        .map(rows -> Rows.all(rows, NotificationRepository::delivery));
  }

  public Future<Long> countPending() {
    return pool.query(COUNT_PENDING).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** The user's display name where the users table knows it. */
  Future<Optional<String>> userName(UUID userId) {
    return pool.preparedQuery(USER_NAME)
        .execute(Tuple.of(userId))
        .map(rows -> Rows.first(rows, r -> r.getString("name")))
        .map(o -> o.filter(n -> n != null && !n.isBlank()));
  }

  // ---- channel writes (the notifier only)
  // --------------------------------------------------------------------

  Future<StoredChannel> insert(ChannelSpec spec) {
    return pool.preparedQuery(INSERT_CHANNEL)
        .execute(Tuple.of(spec.id(), spec.name(), spec.type().wireName(), spec.storedJson()))
        .map(rows -> channel(rows.iterator().next()));
  }

  Future<Optional<StoredChannel>> update(ChannelSpec spec) {
    return pool.preparedQuery(UPDATE_CHANNEL)
        .execute(Tuple.of(spec.id(), spec.name(), spec.storedJson()))
        .map(rows -> Rows.first(rows, NotificationRepository::channel));
  }

  Future<Boolean> delete(UUID id) {
    return pool.preparedQuery(DELETE_CHANNEL)
        .execute(Tuple.of(id))
        .map(rows -> rows.rowCount() == 1);
  }

  Future<Void> upsertConfig(ChannelSpec spec) {
    return pool.preparedQuery(UPSERT_CONFIG_CHANNEL)
        .execute(Tuple.of(spec.id(), spec.name(), spec.type().wireName(), spec.storedJson()))
        .mapEmpty();
  }

  Future<Void> deleteStaleConfig(List<UUID> keep) {
    return pool.preparedQuery(DELETE_STALE_CONFIG)
        .execute(Tuple.of(keep.toArray(UUID[]::new)))
        .mapEmpty();
  }

  // ---- the outbox (the notifier only)
  // ------------------------------------------------------------------------

  /** The number of deliveries this call wrote (0 when every channel already had this event). */
  Future<Integer> insertDeliveries(
      List<UUID> channelIds,
      EventType type,
      String eventKey,
      JsonObject payload,
      Instant occurredAt,
      boolean onlyChannelsThatExisted) {
    Tuple t =
        Tuple.tuple()
            .addArrayOfUUID(channelIds.toArray(UUID[]::new))
            .addString(type.wireName())
            .addString(eventKey)
            .addValue(payload)
            .addOffsetDateTime(utc(occurredAt))
            .addBoolean(onlyChannelsThatExisted);
    return pool.preparedQuery(INSERT_DELIVERIES).execute(t).map(RowSet::rowCount);
  }

  Future<List<Claimed>> claim(String nodeId, int claimSeconds, int limit, int perChannel) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(nodeId, claimSeconds, limit, perChannel))
        .map(
            rows ->
                Rows.all(
                    rows,
                    r ->
                        new Claimed(
                            r.getUUID("id"),
                            r.getUUID("channel_id"),
                            r.getString("event"),
                            json(r.getValue("payload")),
                            r.getOffsetDateTime("occurred_at").toInstant(),
                            r.getInteger("attempts"),
                            json(r.getValue("spec")))));
  }

  Future<Void> finish(
      UUID id,
      String nodeId,
      String status,
      Instant nextAttemptAt,
      Integer lastStatus,
      String lastError) {
    Tuple t =
        Tuple.tuple()
            .addUUID(id)
            .addString(status)
            .addOffsetDateTime(utc(nextAttemptAt))
            .addInteger(lastStatus)
            .addString(lastError)
            .addString(nodeId);
    return pool.preparedQuery(FINISH).execute(t).mapEmpty();
  }

  /**
   * Hands a claimed delivery back untried, due at {@code dueAt} (quiet hours, the channel's rate
   * limit).
   */
  Future<Void> release(UUID id, String nodeId, Instant dueAt, String why) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(id, utc(dueAt), nodeId, why)).mapEmpty();
  }

  Future<Optional<JsonObject>> retry(UUID id) {
    return pool.preparedQuery(RETRY)
        .execute(Tuple.of(id))
        .map(rows -> Rows.first(rows, NotificationRepository::delivery));
  }

  /** The sweep's watermark and the database's clock now. */
  Future<Instant[]> watermark() {
    return pool.query(WATERMARK)
        .execute()
        .map(
            rows -> {
              Row r = rows.iterator().next();
              return new Instant[] {
                r.getOffsetDateTime("swept_until").toInstant(),
                r.getOffsetDateTime("now").toInstant()
              };
            });
  }

  Future<Void> setWatermark(Instant until) {
    return pool.preparedQuery(SET_WATERMARK).execute(Tuple.of(utc(until))).mapEmpty();
  }

  // ---- mapping
  // -------------------------------------------------------------------------------------------------

  private static StoredChannel channel(Row r) {
    JsonObject stored = json(r.getValue("spec")).put("id", r.getUUID("id").toString());
    // a stored spec was valid when written; if a later version tightened a rule, the row still
    // loads
    Validated<ChannelSpec> spec = ChannelSpec.restore(stored);
    if (!spec.isValid())
      throw new IllegalStateException(
          "stored channel " + r.getUUID("id") + " no longer validates: " + spec.problem().errors());
    return new StoredChannel(
        spec.value(),
        r.getString("source"),
        r.getOffsetDateTime("created_at").toInstant(),
        r.getOffsetDateTime("updated_at").toInstant());
  }

  /**
   * The delivery log's representation: what was sent to whom and how it went, without the payload's
   * data.
   */
  static JsonObject delivery(Row r) {
    JsonObject payload = json(r.getValue("payload"));
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("channel_id", r.getUUID("channel_id").toString())
        .put("channel_name", r.getString("channel_name"))
        .put("channel_type", r.getString("channel_type"))
        .put("event", r.getString("event"))
        .put("event_key", r.getString("event_key"))
        .put("summary", payload.getString("what"))
        .put(
            "subject_id",
            payload.getJsonObject("data", new JsonObject()).getValue("id") instanceof String s
                ? s
                : null)
        .put("occurred_at", iso(r.getOffsetDateTime("occurred_at")))
        .put("status", r.getString("status"))
        .put("attempts", r.getInteger("attempts"))
        .put("next_attempt_at", iso(r.getOffsetDateTime("next_attempt_at")))
        .put("last_status", r.getInteger("last_status"))
        .put("last_error", r.getString("last_error"))
        .put("delivered_at", iso(r.getOffsetDateTime("delivered_at")))
        .put("created_at", iso(r.getOffsetDateTime("created_at")));
  }

  static JsonObject json(Object value) {
    if (value instanceof JsonObject j) return j;
    return value == null ? new JsonObject() : new JsonObject(String.valueOf(value));
  }

  private static OffsetDateTime utc(Instant t) {
    return t == null ? null : t.atOffset(ZoneOffset.UTC);
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
