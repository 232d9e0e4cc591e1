package io.tracearr.analytics.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The service's own meters. Labels carry only bounded values (reasons, types, severities,
 * outcomes), never user, session, content ids or addresses.
 */
public final class DomainMetrics {

  private final MeterRegistry registry;
  public final AtomicLong activeSessions = new AtomicLong();
  public final AtomicLong openAlerts = new AtomicLong();
  public final AtomicLong liveConnections = new AtomicLong();
  public final AtomicLong pendingHeartbeats = new AtomicLong();

  /** 1 while this node's heartbeat writes keep failing (see the registry), else 0 */
  public final AtomicLong heartbeatWritesFailing = new AtomicLong();

  public final Counter heartbeatsDropped;
  public final AtomicLong notificationsPending = new AtomicLong();
  public final Counter sessionsStarted;
  public final Counter heartbeatsAccepted;
  public final DistributionSummary heartbeatFlushBatch;
  public final DistributionSummary startBatch;
  public final AtomicLong liveQueuedBytes = new AtomicLong();
  public final Timer heartbeatFlushLatency;
  public final Timer detectionLatency;
  public final Timer rollupDuration;
  public final Counter framesSent;

  /** registered at start, so a scrape shows 0 rather than nothing before the first refusal */
  private final Counter authRateLimited;

  public final Timer notificationLatency;

  public DomainMetrics(MeterRegistry registry, String version) {
    this.registry = registry;
    registerBuildInfo(registry, version);
    Gauge.builder("analytics_sessions_active", activeSessions, AtomicLong::get)
        .description(
            "Open playback sessions (playing, paused, buffering), cluster-wide as last counted")
        .register(registry);
    Gauge.builder("analytics_alerts_open", openAlerts, AtomicLong::get)
        .description("Open sharing alerts, cluster-wide as last counted")
        .register(registry);
    Gauge.builder("analytics_live_connections", liveConnections, AtomicLong::get)
        .description("Dashboard WebSocket connections on this node")
        .register(registry);
    Gauge.builder("analytics_heartbeats_pending", pendingHeartbeats, AtomicLong::get)
        .description("Coalesced heartbeats waiting for the next batched write")
        .register(registry);
    sessionsStarted =
        Counter.builder("analytics_sessions_started")
            .description("Sessions started")
            .register(registry);
    heartbeatsAccepted =
        Counter.builder("analytics_heartbeats_accepted")
            .description("Heartbeats accepted")
            .register(registry);
    heartbeatsDropped =
        Counter.builder("analytics_heartbeats_dropped")
            .description(
                "Buffered heartbeats of one session dropped because PostgreSQL refused their values (logged)")
            .register(registry);
    Gauge.builder("analytics_heartbeat_writes_failing", heartbeatWritesFailing, AtomicLong::get)
        .description(
            "1 while this node's heartbeat writes keep failing (3 flushes in a row), else 0")
        .register(registry);
    startBatch =
        DistributionSummary.builder("analytics_session_start_batch_size")
            .description("Session starts written in one transaction (one commit)")
            .serviceLevelObjectives(1, 8, 32, 128)
            .register(registry);
    Gauge.builder("analytics_live_queued_bytes", liveQueuedBytes, AtomicLong::get)
        .description(
            "Bytes queued to the node's dashboard sockets, not yet written out (bounded by live.queued_bytes_max)")
        .register(registry);
    heartbeatFlushBatch =
        DistributionSummary.builder("analytics_heartbeat_flush_batch_size")
            .description("Sessions written per batched heartbeat flush")
            .serviceLevelObjectives(1, 10, 100, 1000, 10000)
            .register(registry);
    heartbeatFlushLatency =
        Timer.builder("analytics_heartbeat_flush_duration")
            .description("Time to write one heartbeat batch")
            .serviceLevelObjectives(
                Duration.ofMillis(5),
                Duration.ofMillis(20),
                Duration.ofMillis(100),
                Duration.ofMillis(500))
            .register(registry);
    detectionLatency =
        Timer.builder("analytics_detection_duration")
            .description("Time to judge one session event against the sharing rules")
            .serviceLevelObjectives(
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                Duration.ofMillis(20),
                Duration.ofMillis(100))
            .register(registry);
    rollupDuration =
        Timer.builder("analytics_rollup_duration")
            .description("Duration of one roll-up run")
            .serviceLevelObjectives(
                Duration.ofMillis(100),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofSeconds(60))
            .register(registry);
    authRateLimited =
        Counter.builder("analytics_auth_rate_limited")
            .description(
                "Requests refused (429) because their client address failed authentication too often")
            .register(registry);
    framesSent =
        Counter.builder("analytics_live_frames_sent")
            .description("Dashboard frames written")
            .register(registry);
    Gauge.builder("analytics_notifications_pending", notificationsPending, AtomicLong::get)
        .description(
            "Notification deliveries not yet delivered or failed (pending or being sent), cluster-wide as last counted")
        .register(registry);
    notificationLatency =
        Timer.builder("analytics_notifications_delivery_latency")
            .description(
                "From the event (alert raised, session started ...) to the receiver's 2xx, retries and holds included")
            .serviceLevelObjectives(
                Duration.ofMillis(100),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                Duration.ofMinutes(1))
            .register(registry);
  }

  /**
   * {@code analytics_build_info{version}} as a Prometheus info metric: Micrometer strips the
   * reserved {@code _info} suffix from its own meter names, so the name would come out as {@code
   * analytics_build}.
   */
  private static void registerBuildInfo(MeterRegistry registry, String version) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      Info info =
          Info.builder()
              .name("analytics_build_info")
              .help("Build information")
              .labelNames("version")
              .register(prometheus.getPrometheusRegistry());
      info.setLabelValues(version);
    } else {
      Gauge.builder("analytics_build_info", () -> 1)
          .tag("version", version)
          .description("Build information")
          .register(registry);
    }
  }

  public void sessionEnded(String reason) {
    Counter.builder("analytics_sessions_ended")
        .description("Sessions ended, by reason")
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  /** {@code trigger}: {@code manual} (an admin) or {@code rule} (a rule action) */
  public void sessionTerminated(String trigger) {
    Counter.builder("analytics_sessions_terminated")
        .description("Sessions terminated, by what asked for it")
        .tag("trigger", trigger)
        .register(registry)
        .increment();
  }

  public void alertRaised(String type, String severity) {
    Counter.builder("analytics_alerts_raised")
        .description("Sharing alerts raised, by type and severity")
        .tag("type", type)
        .tag("severity", severity)
        .register(registry)
        .increment();
  }

  public void geoLookup(String outcome) {
    Counter.builder("analytics_geoip_lookups")
        .description("GeoIP lookups, by outcome")
        .tag("result", outcome)
        .register(registry)
        .increment();
  }

  public void frameDropped(String type) {
    Counter.builder("analytics_live_frames_dropped")
        .description("Dashboard frames dropped for slow readers, by frame type")
        .tag("type", type)
        .register(registry)
        .increment();
  }

  /** a request refused with 429 because its address failed authentication too often */
  public void authRateLimited() {
    authRateLimited.increment();
  }

  public void slowReaderClosed() {
    Counter.builder("analytics_live_slow_reader_closes")
        .description("Dashboard sockets closed for reading too slowly")
        .register(registry)
        .increment();
  }

  /**
   * One delivery attempt's outcome: {@code result} is delivered, retry or failed; {@code type} the
   * channel type.
   */
  public void notificationSent(String type, String result) {
    Counter.builder("analytics_notifications_sent")
        .description("Notification delivery attempts, by channel type and outcome")
        .tag("type", type)
        .tag("result", result)
        .register(registry)
        .increment();
  }

  public void periodicJob(String job) {
    Counter.builder("analytics_periodic_job_runs")
        .description("Periodic jobs this node ran (claimed its slot)")
        .tag("job", job)
        .register(registry)
        .increment();
  }

  /**
   * {@code analytics_media_server_up{server}} (1 up, 0 otherwise) and {@code
   * analytics_media_server_sessions{server}} (playbacks this node sees on it; 0 on nodes that do
   * not watch it). {@code server} is the configured name: an admin's bounded list, never an id.
   * Registering a name twice keeps the first suppliers.
   */
  public void mediaServer(
      String server,
      java.util.function.Supplier<Number> up,
      java.util.function.Supplier<Number> sessions) {
    Gauge.builder("analytics_media_server_up", up)
        .tag("server", server)
        .strongReference(true)
        .description(
            "Whether a media server answers its poll (1) or is unreachable/unauthorized/unknown (0)")
        .register(registry);
    Gauge.builder("analytics_media_server_sessions", sessions)
        .tag("server", server)
        .strongReference(true)
        .description("Playbacks seen on a media server by its last poll on this node")
        .register(registry);
  }

  /** A media server deleted or renamed: its series go. */
  public void forgetMediaServer(String server) {
    for (var meter : registry.find("analytics_media_server_up").tag("server", server).meters())
      registry.remove(meter);
    for (var meter :
        registry.find("analytics_media_server_sessions").tag("server", server).meters())
      registry.remove(meter);
    for (var meter : registry.find("analytics_media_poll_duration").tag("server", server).meters())
      registry.remove(meter);
  }

  /**
   * {@code analytics_media_poll_duration{server, outcome}}: one poll of a media server,
   * up/unreachable/unauthorized.
   */
  public Timer mediaPoll(String server, String outcome) {
    return Timer.builder("analytics_media_poll_duration")
        .description("Time to poll a media server's sessions")
        .tag("server", server)
        .tag("outcome", outcome)
        .serviceLevelObjectives(
            Duration.ofMillis(50),
            Duration.ofMillis(250),
            Duration.ofSeconds(1),
            Duration.ofSeconds(5))
        .register(registry);
  }

  public MeterRegistry registry() {
    return registry;
  }
}
