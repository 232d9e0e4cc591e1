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
    Metrics metrics,
    Imports imports) {

  public record Http(String host, int port, int instances, int maxBodyBytes) {}

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

  public record Auth(String adminApiKey, String ingestApiKey, String viewerApiKey, String jwtSecret) {
    public Auth withAdminApiKey(String key) {
      return new Auth(key, ingestApiKey, viewerApiKey, jwtSecret);
    }
  }

  public record Live(int slowReaderCloseSeconds, int writeQueueMaxBytes, int updatedMinIntervalMs, int flushIntervalMs,
      int updatedMaxPerSecond) {}

  public record Metrics(boolean enabled, int port, String path) {}

  /** History imports (issue 16): an upload larger than {@code maxUploadMb} is refused with 413. */
  public record Imports(int maxUploadMb) {
    public long maxUploadBytes() {
      return maxUploadMb * 1024L * 1024L;
    }
  }

  public AppConfig withAuth(Auth newAuth) {
    return new AppConfig(http, database, dataDir, analytics, sessions, cluster, newAuth, live, metrics, imports);
  }
}
