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
    Media media,
    Notifications notifications,
    Imports imports,
    Enforcement enforcement,
    Trust trust) {

  /**
   * {@code idleTimeoutSeconds}: a connection that sends and receives nothing this long is closed (a
   * half-sent request is not held); {@code corsOrigins}: origins allowed cross-origin calls, empty
   * = no CORS headers at all; {@code tlsCertPath}/{@code tlsKeyPath}: PEM files, both or neither
   * (then plain HTTP).
   */
  public record Http(
      String host,
      int port,
      int instances,
      int maxBodyBytes,
      int idleTimeoutSeconds,
      List<String> corsOrigins,
      Path tlsCertPath,
      Path tlsKeyPath) {
    public boolean tls() {
      return tlsCertPath != null;
    }
  }

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
  public record Rules(
      boolean concurrentStreams,
      boolean geoImpossible,
      boolean impossibleTravel,
      boolean deviceSpike) {}

  /**
   * @param commandTimeoutMs how long a start or end may wait for the database before "outcome
   *     unknown" (503)
   */
  public record Sessions(
      int timeoutSeconds,
      int reapIntervalSeconds,
      int heartbeatFlushMs,
      int heartbeatBufferMax,
      int commandTimeoutMs,
      int startBatchMax,
      int startBatchesInFlight,
      int updatedHeldMax,
      int updatedMaxPerSecond) {}

  public record Cluster(
      boolean enabled, String name, List<String> members, int port, Path configPath) {}

  /**
   * {@code jwtRequireExp}: a JWT without {@code exp} is refused (it would be good forever); {@code
   * failedAuthPerMinute}: failed attempts one client address may make a minute before 429; 0 = no
   * limit.
   */
  public record Auth(
      String adminApiKey,
      String ingestApiKey,
      String viewerApiKey,
      String jwtSecret,
      boolean jwtRequireExp,
      int failedAuthPerMinute) {
    public Auth withAdminApiKey(String key) {
      return new Auth(
          key, ingestApiKey, viewerApiKey, jwtSecret, jwtRequireExp, failedAuthPerMinute);
    }
  }

  public record Live(
      int slowReaderCloseSeconds,
      int writeQueueMaxBytes,
      int updatedMinIntervalMs,
      int flushIntervalMs,
      int updatedMaxPerSecond,
      int queuedBytesMax,
      int snapshotBacklogMax,
      int updatedWaitingMax) {}

  public record Metrics(boolean enabled, int port, String path) {}

  /**
   * {@code channels} are the raw entries of {@code notifications.channels}: their fields depend on
   * the channel type, which only the notify concern knows, so it validates them at boot (errors
   * name {@code notifications.channels[i].<field>}).
   *
   * @param dashboardUrl the link every message carries; null when not configured
   */
  public record Notifications(
      boolean enabled,
      String dashboardUrl,
      int maxAttempts,
      int sweepSeconds,
      int maxInFlight,
      List<io.vertx.core.json.JsonObject> channels,
      int claimSeconds,
      int maxInFlightPerChannel) {}

  /**
   * The media-server connector: {@code media.lease_seconds} (how long a node's claim on a server
   * lasts without renewal, i.e. the longest a dead node's servers go unwatched) and the servers
   * kept in the config file ({@code media_servers:}).
   */
  public record Media(int leaseSeconds, List<MediaServer> servers) {}

  /**
   * One {@code media_servers:} entry; {@code type} is jellyfin, emby or plex. The token never
   * appears in toString.
   */
  public record MediaServer(
      String name,
      String type,
      String url,
      String token,
      boolean enabled,
      int pollIntervalSeconds) {
    @Override
    public String toString() {
      return "MediaServer[name="
          + name
          + ", type="
          + type
          + ", url="
          + url
          + ", token=<hidden>, enabled="
          + enabled
          + ", pollIntervalSeconds="
          + pollIntervalSeconds
          + "]";
    }
  }

  /** History imports (issue 16): an upload larger than {@code maxUploadMb} is refused with 413. */
  public record Imports(int maxUploadMb) {
    public long maxUploadBytes() {
      return maxUploadMb * 1024L * 1024L;
    }
  }

  public AppConfig withAuth(Auth newAuth) {
    return new AppConfig(
        http,
        database,
        dataDir,
        analytics,
        sessions,
        cluster,
        newAuth,
        live,
        metrics,
        media,
        notifications,
        imports,
        enforcement,
        trust);
  }

  /**
   * Trust score (issue 15): each alert raised lowers a user's score (0-100, from 100) by the
   * penalty of its severity, dismissing it gives the penalty back, and each day without an alert
   * gives {@code recoveryPerDay} back.
   */
  public record Trust(int penaltyLow, int penaltyMedium, int penaltyHigh, int recoveryPerDay) {
    public int penalty(String severity) {
      return switch (severity) {
        case "low" -> penaltyLow;
        case "medium" -> penaltyMedium;
        default -> penaltyHigh;
      };
    }
  }

  /**
   * Enforcement (issue 15): due rule actions are looked for every {@code pollMs}; a node's claim on
   * one lasts {@code claimSeconds} (then another node takes it over); {@code ruleActions} per rule
   * name, changed at run time through {@code PUT /rules/{rule}}.
   */
  public record Enforcement(
      int pollMs, int claimSeconds, java.util.Map<String, RuleAction> ruleActions) {}
}
