package io.tracearr.analytics.keys;

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
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * Every query {@code api_keys} sees. Reads are public (the gateway lists keys and loads the active
 * hashes through them); writes are package-private: {@link KeysVerticle} is the one writer of the
 * table. No read returns a key or its hash to a caller outside authentication.
 */
public final class ApiKeyQueries {

  /**
   * A key that may authenticate now (not revoked); expiry is checked at use, so a reload is not
   * needed when one lapses.
   */
  public record ActiveKey(UUID id, String name, String role, byte[] hash, Instant expiresAt) {
    public boolean expired(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }
  }

  private static final String COLUMNS = "id, name, role, created_at, last_used_at, expires_at";
  private static final String LIST =
      "SELECT " + COLUMNS + " FROM api_keys WHERE revoked_at IS NULL ORDER BY created_at, id";
  private static final String ACTIVE =
      """
      SELECT id, name, role, key_hash, expires_at FROM api_keys
      WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())""";
  private static final String INSERT =
      """
      INSERT INTO api_keys (id, name, role, key_hash, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
      RETURNING """
          + " "
          + COLUMNS;
  private static final String REVOKE =
      "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL";

  /** at most one write per key a minute, however many nodes and gateway instances report it */
  private static final String TOUCH =
      """
      UPDATE api_keys SET last_used_at = now()
      WHERE id = ANY($1::uuid[]) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')""";

  private final Pool pool;

  public ApiKeyQueries(Pool pool) {
    this.pool = pool;
  }

  /** The keys that are not revoked (expired ones included, so an admin sees and removes them). */
  public Future<JsonArray> list() {
    return pool.preparedQuery(LIST)
        .execute()
        .map(rows -> new JsonArray(Rows.all(rows, ApiKeyQueries::toJson)));
  }

  public Future<List<ActiveKey>> active() {
    return pool.preparedQuery(ACTIVE)
        .execute()
        .map(
            rows ->
                Rows.all(
                    rows,
                    r ->
                        new ActiveKey(
                            r.getUUID("id"),
                            r.getString("name"),
                            r.getString("role"),
                            HexFormat.of().parseHex(r.getString("key_hash")),
                            instant(r.getOffsetDateTime("expires_at")))));
  }

  Future<JsonObject> insert(
      UUID id, String name, String role, String hashHex, String createdBy, Instant expiresAt) {
    return pool.preparedQuery(INSERT)
        .execute(
            Tuple.of(
                id,
                name,
                role,
                hashHex,
                createdBy,
                expiresAt == null ? null : expiresAt.atOffset(ZoneOffset.UTC)))
        .map(rows -> Rows.first(rows, ApiKeyQueries::toJson).orElseThrow());
  }

  /** true when a live key was revoked now */
  Future<Boolean> revoke(UUID id) {
    return pool.preparedQuery(REVOKE).execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
  }

  Future<Integer> touch(List<UUID> ids) {
    return pool.preparedQuery(TOUCH)
        .execute(Tuple.of(ids.toArray(new UUID[0])))
        .map(rows -> rows.rowCount());
  }

  static JsonObject toJson(Row r) {
    return new JsonObject()
        .put("id", r.getUUID("id").toString())
        .put("name", r.getString("name"))
        .put("role", r.getString("role"))
        .put("created_at", text(r.getOffsetDateTime("created_at")))
        .put("last_used_at", text(r.getOffsetDateTime("last_used_at")))
        .put("expires_at", text(r.getOffsetDateTime("expires_at")));
  }

  private static String text(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  private static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }
}
