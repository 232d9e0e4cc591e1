package io.tracearr.analytics.config;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;

/** The whole configuration, typed and validated once at boot. */
public record AppConfig(
    Http http,
    Database database,
    Path dataDir,
    Analytics analytics,
    Sessions sessions,
    Cluster cluster,
    Auth auth,
    Live live,
    Metrics metrics) {

  /**
   * {@code idleTimeoutSeconds}: a connection that sends and receives nothing this long is closed (a half-sent
   * request is not held); {@code corsOrigins}: origins allowed cross-origin calls, empty = no CORS headers at all.
   */
  public record Http(String host, int port, int instances, int maxBodyBytes, int idleTimeoutSeconds, List<String> corsOrigins) {}

  /** {@code url} is null when the embedded PostgreSQL is to be used. */
  public record Database(DatabaseUrl url, int poolSize, int maxWaitQueue, int connectTimeoutMs) {
    public boolean embedded() {
      return url == null;
    }
  }

  public record Analytics(
      boolean enabled,
      int retentionDays,
      ZoneId timezone,
      int minPlaySeconds,
      int rollupIntervalSeconds,
      Path geoipDbPath,
      SharingDetection sharingDetection) {}

  public record SharingDetection(
      boolean enabled,
      int concurrentStreamsThreshold,
      double geoDistanceThresholdKm,
      int deviceSpikeThreshold,
      double maxTravelSpeedKmh,
      int sweepSeconds,
      List<String> trustedNetworks,
      Rules rules) {}

  /** Per-rule switches; {@link SharingDetection#enabled()} false switches every rule off. */
  public record Rules(boolean concurrentStreams, boolean geoImpossible, boolean impossibleTravel, boolean deviceSpike) {}

  public record Sessions(int timeoutSeconds, int reapIntervalSeconds, int heartbeatFlushMs, int heartbeatBufferMax) {}

  public record Cluster(boolean enabled, String name, List<String> members, int port, Path configPath) {}

  /** {@code jwtRequireExp}: a JWT without {@code exp} is refused (it would be good forever). */
  public record Auth(String adminApiKey, String ingestApiKey, String viewerApiKey, String jwtSecret, boolean jwtRequireExp) {
    public Auth withAdminApiKey(String key) {
      return new Auth(key, ingestApiKey, viewerApiKey, jwtSecret, jwtRequireExp);
    }
  }

  public record Live(int slowReaderCloseSeconds, int writeQueueMaxBytes, int updatedMinIntervalMs, int flushIntervalMs,
      int updatedMaxPerSecond) {}

  public record Metrics(boolean enabled, int port, String path) {}

  public AppConfig withAuth(Auth newAuth) {
    return new AppConfig(http, database, dataDir, analytics, sessions, cluster, newAuth, live, metrics);
  }
}
