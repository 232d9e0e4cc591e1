package io.tracearr.analytics.session;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.db.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The registry's read-only query object for people ({@code users}, written by the registry alone at
 * each start) and where they watched from ({@code playback_sessions}). The gateway adds what other
 * concerns own (open alerts, devices) through their own query objects.
 */
public final class UserQueries {

  /** Places of the last month, the same city (or coordinates rounded to ~10 km) counted once. */
  static final Duration PLACES_WINDOW = Duration.ofDays(30);

  static final int MAX_PLACES = 10;

  private static final String COLUMNS =
      "u.id, u.name, u.server_id, u.first_seen_at, u.last_seen_at";

  /**
   * Every filter optional (null); keyset pagination on (last_seen_at, id), most recently seen
   * first.
   */
  private static final String LIST =
      """
      SELECT %s FROM users u
      WHERE ($1::text IS NULL OR u.name ILIKE '%%' || $1 || '%%')
        AND ($2::uuid IS NULL OR u.id = $2)
        AND ($3::timestamptz IS NULL OR (u.last_seen_at, u.id) < ($3, $4::uuid))
      ORDER BY u.last_seen_at DESC, u.id DESC
      LIMIT $5"""
          .formatted(COLUMNS);

  private static final String BY_IDS =
      "SELECT %s FROM users u WHERE u.id = ANY($1)".formatted(COLUMNS);

  private static final String FIND =
      """
      SELECT %s,
        ARRAY(SELECT DISTINCT s.server_id FROM playback_sessions s WHERE s.user_id = u.id AND s.server_id IS NOT NULL)
          AS session_servers,
        (SELECT count(*) FROM playback_sessions s WHERE s.user_id = u.id AND s.ended_at IS NULL) AS active_sessions
      FROM users u WHERE u.id = $1"""
          .formatted(COLUMNS);

  private static final String PLACES =
      """
      SELECT geo_city, geo_country, round(avg(geo_latitude)::numeric, 3)::float8 AS lat,
             round(avg(geo_longitude)::numeric, 3)::float8 AS lon, max(started_at) AS last_seen_at, count(*) AS sessions
      FROM playback_sessions
      WHERE user_id = $1 AND started_at >= $2 AND geo_latitude IS NOT NULL
      GROUP BY geo_city, geo_country, CASE WHEN geo_city IS NULL THEN round(geo_latitude::numeric, 1) END,
               CASE WHEN geo_city IS NULL THEN round(geo_longitude::numeric, 1) END
      ORDER BY max(started_at) DESC
      LIMIT $3""";

  private final Pool pool;
  private final ServerNames servers;

  public UserQueries(Pool pool) {
    this.pool = pool;
    this.servers = ServerNames.of(pool);
  }

  /**
   * Filter of the people list: {@code q} part of the name, {@code only} one id (a user token's
   * own).
   */
  public record Filter(String q, UUID only) {}

  /**
   * A page of people (ask for limit + 1, see {@link io.tracearr.analytics.api.Page}); ordered by
   * last_seen_at.
   */
  public Future<List<JsonObject>> list(Filter filter, KeysetCursor before, int limit) {
    String q = filter.q() == null || filter.q().isBlank() ? null : likeEscaped(filter.q().strip());
    Tuple t =
        Tuple.tuple()
            .addString(q)
            .addUUID(filter.only())
            .addOffsetDateTime(before == null ? null : utc(before.at()))
            .addUUID(before == null ? null : before.id())
            .addInteger(limit);
    return pool.preparedQuery(LIST)
        .execute(t)
        .map(rows -> Rows.all(rows, r -> person(r, Set.of())));
  }

  /**
   * These people as the list shows them, in the order given (another concern's ordering, e.g. the
   * least trusted first); unknown ids are left out.
   */
  public Future<List<JsonObject>> byIds(List<UUID> ids) {
    if (ids.isEmpty()) return Future.succeededFuture(List.of());
    return pool.preparedQuery(BY_IDS)
        .execute(Tuple.of(ids.toArray(UUID[]::new)))
        .map(
            rows -> {
              java.util.Map<UUID, JsonObject> byId = new java.util.HashMap<>();
              for (Row r : rows) byId.put(r.getUUID("id"), person(r, Set.of()));
              return ids.stream().map(byId::get).filter(p -> p != null).toList();
            });
  }

  /** One person with their active session count and recent places; empty when unknown. */
  public Future<Optional<JsonObject>> find(UUID id, Instant now) {
    Future<Optional<JsonObject>> person =
        pool.preparedQuery(FIND)
            .execute(Tuple.of(id))
            .map(
                rows ->
                    Rows.first(
                        rows,
                        r -> {
                          Set<UUID> seenOn =
                              new LinkedHashSet<>(List.of(r.getArrayOfUUIDs("session_servers")));
                          return person(r, seenOn)
                              .put("active_sessions", r.getLong("active_sessions"));
                        }));
    Future<JsonArray> places =
        pool.preparedQuery(PLACES)
            .execute(Tuple.of(id, utc(now.minus(PLACES_WINDOW)), MAX_PLACES))
            .map(
                rows -> {
                  JsonArray out = new JsonArray();
                  for (Row r : rows) {
                    out.add(
                        new JsonObject()
                            .put("city", r.getString("geo_city"))
                            .put("country", r.getString("geo_country"))
                            .put("latitude", r.getDouble("lat"))
                            .put("longitude", r.getDouble("lon"))
                            .put(
                                "last_seen_at",
                                r.getOffsetDateTime("last_seen_at").toInstant().toString())
                            .put("sessions", r.getLong("sessions")));
                  }
                  return out;
                });
    return Future.all(person, places)
        .map(v -> person.result().map(p -> p.put("recent_places", places.result())));
  }

  private JsonObject person(Row r, Set<UUID> moreServers) {
    Set<UUID> ids = new LinkedHashSet<>();
    UUID own = r.getUUID("server_id");
    if (own != null) ids.add(own);
    ids.addAll(moreServers);
    JsonArray serverList = new JsonArray();
    for (UUID s : ids)
      serverList.add(new JsonObject().put("id", s.toString()).put("name", servers.name(s)));
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("name", r.getString("name"))
        .put("servers", serverList)
        .put("first_seen_at", r.getOffsetDateTime("first_seen_at").toInstant().toString())
        .put("last_seen_at", r.getOffsetDateTime("last_seen_at").toInstant().toString());
  }

  /** {@code q} is matched literally: its own % and _ are not wildcards. */
  static String likeEscaped(String q) {
    return q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }

  private static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
