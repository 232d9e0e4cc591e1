package io.tracearr.analytics.session;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The names of the media servers, by id, for a session's {@code server_name}. The table ({@code
 * media_servers}) belongs to the connector concern and may not exist at all (a build or a database
 * without it), so it is neither joined in the session queries nor imported: this map is read with
 * one small query at most every {@link #REFRESH_NANOS} (sooner, but at most every {@link
 * #MISS_REFRESH_NANOS}, when a session names a server the map does not know yet), only when {@code
 * to_regclass} finds the table. A renamed server therefore shows its new name within 30 s. One map
 * per pool (per node), shared by the registry's events and the gateway's reads; lookups never wait
 * for the database.
 */
public final class ServerNames {

  static final long REFRESH_NANOS = 30_000_000_000L;
  static final long MISS_REFRESH_NANOS = 2_000_000_000L;

  private static final String LOAD = "SELECT id, name FROM media_servers WHERE name IS NOT NULL";
  private static final String EXISTS = "SELECT to_regclass('media_servers') IS NOT NULL";
  private static final Map<Pool, ServerNames> BY_POOL = new ConcurrentHashMap<>();

  private final Pool pool;
  private final AtomicBoolean loading = new AtomicBoolean();
  private volatile Map<UUID, String> names = Map.of();
  private volatile long loadedAt = System.nanoTime() - 2 * REFRESH_NANOS;

  private ServerNames(Pool pool) {
    this.pool = pool;
  }

  public static ServerNames of(Pool pool) {
    return BY_POOL.computeIfAbsent(pool, ServerNames::new);
  }

  /**
   * The name known now (null when unknown or for direct clients); a stale or missing entry triggers
   * a reload.
   */
  public String name(UUID serverId) {
    long now = System.nanoTime();
    long age = now - loadedAt;
    if (serverId == null) {
      if (age > REFRESH_NANOS) refresh();
      return null;
    }
    String name = names.get(serverId);
    if (age > REFRESH_NANOS || (name == null && age > MISS_REFRESH_NANOS)) refresh();
    return name;
  }

  /** Reloads now; completes when the map is current (tests and boot use it, lookups never wait). */
  public Future<Void> refresh() {
    if (!loading.compareAndSet(false, true)) return Future.succeededFuture();
    return pool.query(EXISTS)
        .execute()
        .compose(
            exists -> {
              if (!exists.iterator().next().getBoolean(0))
                return Future.succeededFuture(Map.<UUID, String>of());
              return pool.query(LOAD)
                  .execute()
                  .map(
                      rows -> {
                        Map<UUID, String> m = new HashMap<>();
                        for (Row r : rows) m.put(r.getUUID(0), r.getString(1));
                        return Map.copyOf(m);
                      });
            })
        .andThen(
            ar -> {
              if (ar.succeeded()) names = ar.result();
              loadedAt = System.nanoTime();
              loading.set(false);
            })
        .mapEmpty();
  }
}
