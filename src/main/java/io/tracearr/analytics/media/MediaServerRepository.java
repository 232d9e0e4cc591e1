package io.tracearr.analytics.media;

import io.tracearr.analytics.db.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Every query {@code media_servers} and {@code media_server_leases} see. The reads are public (the
 * gateway lists and shows servers, health reads their status) and never select the token; the
 * writes, and the one read that carries the token, are package-private: only {@link
 * MediaServerVerticle} writes these tables.
 */
public final class MediaServerRepository {

  private static final String PUBLIC_COLUMNS =
      """
      s.id, s.name, s.type, s.url, s.enabled, s.poll_interval_seconds, s.source, s.server_own_id, s.version, s.status,
      s.status_detail, s.status_changed_at, s.created_at, s.updated_at,
      (SELECT l.node_id FROM media_server_leases l WHERE l.server_id = s.id AND l.expires_at > now()) AS watched_by""";

  private static final String LIST =
      "SELECT " + PUBLIC_COLUMNS + " FROM media_servers s ORDER BY s.name";
  private static final String FIND =
      "SELECT " + PUBLIC_COLUMNS + " FROM media_servers s WHERE s.id = $1";
  private static final String ROWS =
      """
      SELECT id, name, type, url, token, enabled, poll_interval_seconds, source, server_own_id, version, status,
             updated_at
      FROM media_servers""";

  /**
   * Claims or renews this node's lease on every enabled server nobody else holds: a row is
   * inserted, or re-stamped when it is this node's or has expired. The database decides, so two
   * nodes racing for a server agree on one. Returns the servers this node holds now.
   */
  private static final String CLAIM =
      """
      INSERT INTO media_server_leases AS l (server_id, node_id, expires_at)
      SELECT id, $1, now() + $2 * interval '1 second' FROM media_servers WHERE enabled
      ON CONFLICT (server_id) DO UPDATE SET node_id = EXCLUDED.node_id, expires_at = EXCLUDED.expires_at
      WHERE l.node_id = $1 OR l.expires_at < now()
      RETURNING server_id""";

  private final Pool pool;

  public MediaServerRepository(Pool pool) {
    this.pool = pool;
  }

  // ---- public reads
  // ----------------------------------------------------------------------------------------

  /** Every server, by name, without token. */
  public Future<List<JsonObject>> list() {
    return pool.preparedQuery(LIST)
        .execute()
        .map(rows -> Rows.all(rows, MediaServerRepository::toJson));
  }

  public Future<Optional<JsonObject>> find(UUID id) {
    return pool.preparedQuery(FIND)
        .execute(Tuple.of(id))
        .map(rows -> Rows.first(rows, MediaServerRepository::toJson));
  }

  /**
   * For /health/ready: each server's name, type and status ({@code disabled} when switched off).
   */
  public Future<io.vertx.core.json.JsonArray> health() {
    return pool.preparedQuery("SELECT name, type, enabled, status FROM media_servers ORDER BY name")
        .execute()
        .map(
            rows -> {
              io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
              for (Row r : rows) {
                out.add(
                    new JsonObject()
                        .put("name", r.getString("name"))
                        .put("type", r.getString("type"))
                        .put(
                            "status",
                            r.getBoolean("enabled") ? r.getString("status") : "disabled"));
              }
              return out;
            });
  }

  /** The public JSON of a server: {@code token_set} instead of the token. */
  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("name", r.getString("name"))
        .put("type", r.getString("type"))
        .put("url", r.getString("url"))
        .put("token_set", true)
        .put("enabled", r.getBoolean("enabled"))
        .put("poll_interval_seconds", r.getInteger("poll_interval_seconds"))
        .put("source", r.getString("source"))
        .put("server_own_id", r.getString("server_own_id"))
        .put("version", r.getString("version"))
        .put("status", r.getBoolean("enabled") ? r.getString("status") : "disabled")
        .put("status_detail", r.getString("status_detail"))
        .put("status_changed_at", iso(r.getOffsetDateTime("status_changed_at")))
        .put("watched_by", r.getString("watched_by"))
        .put("created_at", iso(r.getOffsetDateTime("created_at")))
        .put("updated_at", iso(r.getOffsetDateTime("updated_at")));
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  // ---- the verticle's own reads and writes
  // ---------------------------------------------------------------------

  /**
   * What a watcher needs of one server, token included: never rendered, never logged (see
   * toString).
   */
  record ServerRow(
      UUID id,
      String name,
      ServerType type,
      String url,
      String token,
      boolean enabled,
      int pollIntervalSeconds,
      String source,
      String ownId,
      String version,
      String status,
      OffsetDateTime updatedAt) {

    boolean fromConfig() {
      return "config".equals(source);
    }

    /**
     * Whether a running watcher must be rebuilt for this row (address, credentials, pace or name
     * changed).
     */
    boolean sameWatch(ServerRow other) {
      return other != null
          && name.equals(other.name)
          && url.equals(other.url)
          && token.equals(other.token)
          && pollIntervalSeconds == other.pollIntervalSeconds
          && type == other.type;
    }

    @Override
    public String toString() {
      return "ServerRow[id="
          + id
          + ", name="
          + name
          + ", type="
          + type
          + ", url="
          + url
          + ", token=<hidden>]";
    }
  }

  private static ServerRow row(Row r) {
    return new ServerRow(
        r.getUUID("id"),
        r.getString("name"),
        ServerType.of(r.getString("type")).orElseThrow(),
        r.getString("url"),
        r.getString("token"),
        r.getBoolean("enabled"),
        r.getInteger("poll_interval_seconds"),
        r.getString("source"),
        r.getString("server_own_id"),
        r.getString("version"),
        r.getString("status"),
        r.getOffsetDateTime("updated_at"));
  }

  Future<List<ServerRow>> rows() {
    return pool.preparedQuery(ROWS)
        .execute()
        .map(rows -> Rows.all(rows, MediaServerRepository::row));
  }

  Future<Optional<ServerRow>> row(UUID id) {
    return pool.preparedQuery(ROWS + " WHERE id = $1")
        .execute(Tuple.of(id))
        .map(rows -> Rows.first(rows, MediaServerRepository::row));
  }

  Future<Optional<ServerRow>> rowByName(String name) {
    return pool.preparedQuery(ROWS + " WHERE name = $1")
        .execute(Tuple.of(name))
        .map(rows -> Rows.first(rows, MediaServerRepository::row));
  }

  /**
   * Inserts a new server; fails with a unique violation (23505) when the id or the name is taken.
   */
  Future<Void> insert(
      UUID id,
      String name,
      ServerType type,
      String url,
      String token,
      boolean enabled,
      int interval,
      String source,
      String ownId,
      String version) {
    return pool.preparedQuery(
            """
        INSERT INTO media_servers (id, name, type, url, token, enabled, poll_interval_seconds, source, server_own_id, version)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""")
        .execute(
            Tuple.tuple(List.of(id, name, type.id(), url, token, enabled, interval, source))
                .addString(ownId)
                .addString(version))
        .mapEmpty();
  }

  /** Replaces the changeable fields; identity (own id, version) only when a check produced them. */
  Future<Void> update(
      UUID id,
      String name,
      String url,
      String token,
      boolean enabled,
      int interval,
      String ownId,
      String version) {
    return pool.preparedQuery(
            """
        UPDATE media_servers SET name = $2, url = $3, token = $4, enabled = $5, poll_interval_seconds = $6,
          server_own_id = COALESCE($7, server_own_id), version = COALESCE($8, version), updated_at = now()
        WHERE id = $1""")
        .execute(
            Tuple.of(id, name, url, token, enabled, interval).addString(ownId).addString(version))
        .mapEmpty();
  }

  Future<Boolean> delete(UUID id) {
    return pool.preparedQuery("DELETE FROM media_servers WHERE id = $1")
        .execute(Tuple.of(id))
        .map(r -> r.rowCount() > 0);
  }

  /**
   * A {@code media_servers:} entry: inserted under {@code id} (derived from type and URL, so every
   * node booting with the same file derives the same), or its row (same name, source config)
   * brought up to date. Returns false when the name belongs to a server created through the API,
   * which the file does not take over.
   */
  Future<Boolean> upsertConfig(
      UUID id,
      String name,
      ServerType type,
      String url,
      String token,
      boolean enabled,
      int interval) {
    return pool.preparedQuery(
            """
        INSERT INTO media_servers AS s (id, name, type, url, token, enabled, poll_interval_seconds, source)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'config')
        ON CONFLICT (name) DO UPDATE SET type = EXCLUDED.type, url = EXCLUDED.url, token = EXCLUDED.token,
          enabled = EXCLUDED.enabled, poll_interval_seconds = EXCLUDED.poll_interval_seconds, updated_at = now()
        WHERE s.source = 'config'
          AND (s.type, s.url, s.token, s.enabled, s.poll_interval_seconds)
              IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.url, EXCLUDED.token, EXCLUDED.enabled, EXCLUDED.poll_interval_seconds)
        RETURNING id""")
        .execute(Tuple.of(id, name, type.id(), url, token, enabled, interval))
        .compose(
            r ->
                r.rowCount() > 0
                    ? Future.succeededFuture(true)
                    : rowByName(name)
                        .map(existing -> existing.map(ServerRow::fromConfig).orElse(false)));
  }

  /** Config servers whose entry left the file. Returns how many. */
  Future<Integer> deleteConfigNotIn(List<String> names) {
    return pool.preparedQuery(
            "DELETE FROM media_servers WHERE source = 'config' AND NOT (name = ANY($1::text[]))")
        .execute(Tuple.of(names.toArray(new String[0])))
        .map(r -> r.rowCount());
  }

  Future<Void> setStatus(UUID id, String status, String detail) {
    return pool.preparedQuery(
            """
        UPDATE media_servers SET status = $2, status_detail = $3, status_changed_at = now() WHERE id = $1""")
        .execute(Tuple.of(id, status, detail == null ? null : truncate(detail, 500)))
        .mapEmpty();
  }

  /**
   * What the server said about itself once it answered (a server added without validation learns it
   * here).
   */
  Future<Void> setIdentity(UUID id, String ownId, String version) {
    return pool.preparedQuery(
            """
        UPDATE media_servers SET server_own_id = COALESCE($2, server_own_id), version = COALESCE($3, version) WHERE id = $1""")
        .execute(
            Tuple.of(
                id,
                ownId == null ? null : truncate(ownId, 200),
                version == null ? null : truncate(version, 100)))
        .mapEmpty();
  }

  Future<Set<UUID>> claim(String nodeId, int leaseSeconds) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(nodeId, leaseSeconds))
        .map(
            rows -> {
              Set<UUID> held = new HashSet<>();
              for (Row r : rows) held.add(r.getUUID("server_id"));
              return held;
            });
  }

  /**
   * Gives up this node's leases (undeploy, a server disabled), so another node takes them at once.
   */
  Future<Void> release(String nodeId) {
    return pool.preparedQuery("DELETE FROM media_server_leases WHERE node_id = $1")
        .execute(Tuple.of(nodeId))
        .mapEmpty();
  }

  Future<Void> release(String nodeId, UUID serverId) {
    return pool.preparedQuery(
            "DELETE FROM media_server_leases WHERE node_id = $1 AND server_id = $2")
        .execute(Tuple.of(nodeId, serverId))
        .mapEmpty();
  }

  static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
