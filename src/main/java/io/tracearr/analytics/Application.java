package io.tracearr.analytics;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.cluster.ClusterSetup;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigException;
import io.tracearr.analytics.config.ConfigLoader;
import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.db.Database;
import io.tracearr.analytics.db.EmbeddedDatabase;
import io.tracearr.analytics.db.Migrations;
import io.tracearr.analytics.detect.SharingDetectorVerticle;
import io.tracearr.analytics.enforce.EnforcementVerticle;
import io.tracearr.analytics.gateway.GatewayVerticle;
import io.tracearr.analytics.gateway.auth.AdminKeyFile;
import io.tracearr.analytics.geo.GeoLocator;
import io.tracearr.analytics.geo.NetworkPolicy;
import io.tracearr.analytics.importer.ImportVerticle;
import io.tracearr.analytics.keys.KeysVerticle;
import io.tracearr.analytics.media.MediaServerVerticle;
import io.tracearr.analytics.metrics.DomainMetrics;
import io.tracearr.analytics.metrics.LeanMetricsFactory;
import io.tracearr.analytics.metrics.RouteLabel;
import io.tracearr.analytics.node.HealthBoard;
import io.tracearr.analytics.node.NodeContext;
import io.tracearr.analytics.notify.NotifierVerticle;
import io.tracearr.analytics.session.SessionGeo;
import io.tracearr.analytics.session.SessionRegistryVerticle;
import io.tracearr.analytics.stats.AggregatorVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of the service: config → database → Vert.x (clustered or not) → verticles. {@link
 * #start} blocks until the node serves; {@link #stop} shuts it down in the order that loses
 * nothing.
 */
public final class Application {

  private static final Logger log = LoggerFactory.getLogger(Application.class);

  /** addresses whose GeoIP answer is remembered; one entry is a few hundred bytes */
  private static final int GEOIP_CACHE_SIZE = 100_000;

  /** looked for in the data directory when analytics.geoip_db_path is empty */
  static final String DEFAULT_GEOIP_FILE = "GeoLite2-City.mmdb";

  /** how often the GeoIP file is checked for a newer version (geoipupdate replaces it in place) */
  private static final long GEOIP_RELOAD_CHECK_MS = 60_000;

  private final AppConfig config;
  private final EmbeddedDatabase embedded;
  private final Vertx vertx;
  private final Pool pool;
  private final NodeContext node;
  private final GatewayVerticle.Ports ports;

  /** deployment ids, in deployment order; undeployed in reverse */
  private final List<String> deployments;

  private Application(
      AppConfig config,
      EmbeddedDatabase embedded,
      Vertx vertx,
      Pool pool,
      NodeContext node,
      GatewayVerticle.Ports ports,
      List<String> deployments) {
    this.config = config;
    this.embedded = embedded;
    this.vertx = vertx;
    this.pool = pool;
    this.node = node;
    this.ports = ports;
    this.deployments = deployments;
  }

  /**
   * {@code java -jar tracearr-analytics.jar}: reads the configuration, starts a node, stops it on
   * SIGTERM.
   */
  public static void main(String[] args) {
    launch();
  }

  /**
   * Starts a node from the environment's configuration and installs the SIGTERM/SIGINT handlers, or
   * exits the process (2 for a configuration error, 1 for a failed start). Returned for launchers
   * that add to the running node (the benchmark's main in src/test).
   */
  public static Application launch() {
    AppConfig config;
    Application app;
    try {
      config = readConfig();
      app = start(config);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return null;
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      log.error("startup failed", e);
      System.err.println("startup failed: " + root);
      System.exit(1);
      return null;
    }
    // SIGTERM/SIGINT: stop in order (see #stop), then exit 0 — a clean stop is not a failure
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(
          new sun.misc.Signal(name),
          signal -> {
            Thread stopper =
                new Thread(
                    () -> {
                      app.stop();
                      System.exit(0);
                    },
                    "shutdown");
            stopper.start();
          });
    }
    return app;
  }

  private static AppConfig readConfig() {
    Vertx vertx = Vertx.vertx();
    try {
      return ConfigLoader.load(vertx, System.getenv())
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof ConfigException ce) throw ce;
      throw new ConfigException("configuration cannot be read: " + e.getCause());
    } catch (Exception e) {
      throw new ConfigException("configuration cannot be read: " + e);
    } finally {
      vertx.close();
    }
  }

  public static String version() {
    String v = Application.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  /** Blocking: returns once the HTTP port accepts requests. */
  public static Application start(AppConfig config) throws Exception {
    return start(config, Clock.systemUTC());
  }

  /**
   * As {@link #start(AppConfig)}, with the clock the session registry stamps heartbeats with (tests
   * move it).
   */
  public static Application start(AppConfig config, Clock sessionClock) throws Exception {
    // channel entries are checked before anything starts, so a bad one fails the boot with its key
    // named
    NotifierVerticle.configChannels(config.notifications());
    AppConfig effective = withAdminKey(config);
    EmbeddedDatabase embedded = null;
    DatabaseUrl url = effective.database().url();
    if (url == null) {
      embedded = EmbeddedDatabase.start(effective.dataDir().resolve("postgres"));
      url = embedded.url();
    } else {
      log.info("using PostgreSQL at {}", url);
    }
    Vertx vertx = null;
    try {
      Migrations.migrate(url);
      PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      prometheus.config().meterFilter(RouteLabel.filter());
      new ClassLoaderMetrics().bindTo(prometheus);
      new JvmMemoryMetrics().bindTo(prometheus);
      new JvmGcMetrics().bindTo(prometheus);
      new JvmThreadMetrics().bindTo(prometheus);
      new ProcessorMetrics().bindTo(prometheus);
      new UptimeMetrics().bindTo(prometheus);
      new FileDescriptorMetrics().bindTo(prometheus);
      VertxOptions options =
          new VertxOptions()
              .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()))
              .setMetricsOptions(vertxMetrics(effective.metrics()));
      var builder = Vertx.builder().with(options).withMetrics(new LeanMetricsFactory(prometheus));
      ClusterManager clusterManager = null;
      if (effective.cluster().enabled()) {
        clusterManager = ClusterSetup.clusterManager(effective.cluster());
        vertx = await(builder.withClusterManager(clusterManager).buildClustered());
        log.info(
            "joined cluster '{}' as node {} ({} member(s))",
            effective.cluster().name(),
            clusterManager.getNodeId(),
            clusterManager.getNodes().size());
      } else {
        vertx = builder.build();
      }
      SharedJson.register(vertx);
      Pool pool = Database.pool(vertx, url, effective.database());
      Pool heartbeatPool = Database.heartbeatPool(vertx, url, effective.database());
      String nodeId =
          clusterManager != null ? clusterManager.getNodeId() : UUID.randomUUID().toString();
      DomainMetrics metrics = new DomainMetrics(prometheus, version());
      NodeContext node =
          new NodeContext(
              effective,
              pool,
              nodeId,
              version(),
              prometheus,
              metrics,
              clusterManager,
              new AtomicBoolean(false),
              openGeo(effective.analytics(), effective.dataDir()),
              heartbeatPool,
              new HealthBoard());
      List<String> deployments = new ArrayList<>();
      deployments.add(
          await(
              vertx.deployVerticle(
                  new SessionRegistryVerticle(
                      node, new SessionGeo(node.geo(), metrics), sessionClock))));
      deployments.add(await(vertx.deployVerticle(new SharingDetectorVerticle(node))));
      deployments.add(await(vertx.deployVerticle(new AggregatorVerticle(node))));
      // after the registry it feeds, before the gateway that sends it commands (undeployed in
      // reverse: leases released)
      deployments.add(await(vertx.deployVerticle(new MediaServerVerticle(node))));
      deployments.add(await(vertx.deployVerticle(new NotifierVerticle(node))));
      deployments.add(await(vertx.deployVerticle(new ImportVerticle(node))));
      deployments.add(await(vertx.deployVerticle(new KeysVerticle(node))));
      deployments.add(await(vertx.deployVerticle(new EnforcementVerticle(node))));
      GatewayVerticle.Ports ports = new GatewayVerticle.Ports();
      deployments.add(
          await(
              vertx.deployVerticle(
                  () -> new GatewayVerticle(node, ports),
                  new DeploymentOptions().setInstances(effective.http().instances()))));
      watchGeoFile(vertx, node.geo());
      node.ready().set(true);
      log.info(
          "tracearr-analytics {} serving on {}://{}:{}{}",
          version(),
          effective.http().tls() ? "https" : "http",
          effective.http().host(),
          ports.http(),
          ports.metrics() > 0 ? " (metrics on port " + ports.metrics() + ")" : "");
      // the last startup line: where a first-time operator goes next, and with which key
      log.info(
          dashboardLine(
              effective.http().host(),
              ports.http(),
              config.auth().adminApiKey().isEmpty()
                  ? effective.dataDir().resolve(AdminKeyFile.FILE_NAME)
                  : null));
      return new Application(effective, embedded, vertx, pool, node, ports, deployments);
    } catch (Exception | Error e) {
      if (vertx != null) vertx.close().await(30, TimeUnit.SECONDS);
      if (embedded != null) embedded.close();
      throw e;
    }
  }

  /**
   * {@code Dashboard: http://host:port/ — sign in with ...}; {@code keyFile} is the generated key's
   * file, or null when the key comes from the configuration. A wildcard bind address is shown as
   * localhost (a browser cannot open 0.0.0.0 everywhere).
   */
  static String dashboardLine(String host, int port, Path keyFile) {
    String shown =
        host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") ? "localhost" : host;
    if (shown.contains(":") && !shown.startsWith("[")) shown = "[" + shown + "]";
    return "Dashboard: http://"
        + shown
        + ":"
        + port
        + "/ \u2014 sign in with "
        + (keyFile == null
            ? "the configured admin key"
            : "the admin key in " + keyFile.toAbsolutePath());
  }

  /**
   * Opened here, before any verticle, because opening memory-maps the file (blocking). Without a
   * usable database the node still serves; only the geo rules are off.
   */
  private static GeoLocator openGeo(AppConfig.Analytics analytics, Path dataDir) {
    Path path = analytics.geoipDbPath();
    if (path == null && Files.isReadable(dataDir.resolve(DEFAULT_GEOIP_FILE))) {
      // scripts/run fetches GeoLite2 City here on a fresh machine
      path = dataDir.resolve(DEFAULT_GEOIP_FILE);
    }
    if (path == null) {
      log.warn(
          "no GeoIP database (analytics.geoip_db_path, or {} in the data directory): sessions are not located,"
              + " geo rules are off",
          DEFAULT_GEOIP_FILE);
      return GeoLocator.disabled();
    }
    NetworkPolicy policy = new NetworkPolicy(analytics.sharingDetection().trustedNetworks());
    try {
      GeoLocator geo = GeoLocator.open(path, policy, GEOIP_CACHE_SIZE);
      log.info("GeoIP database {} opened", path.toAbsolutePath());
      return geo;
    } catch (java.io.IOException | RuntimeException e) {
      log.warn(
          "GeoIP database {} cannot be used ({}): sessions are not located, geo rules are off",
          path.toAbsolutePath(),
          e.toString());
      return GeoLocator.disabled();
    }
  }

  /**
   * A replaced GeoIP file is picked up without a restart (checked on a worker thread: opening maps
   * the file).
   */
  private static void watchGeoFile(Vertx vertx, GeoLocator geo) {
    if (!geo.enabled()) return;
    vertx.setPeriodic(
        GEOIP_RELOAD_CHECK_MS,
        id ->
            vertx
                .executeBlocking(geo::reloadIfChanged, false)
                .onComplete(
                    ar -> {
                      if (ar.failed())
                        log.warn(
                            "the GeoIP file changed but cannot be opened ({}); the previous one stays in use",
                            ar.cause().toString());
                      else if (Boolean.TRUE.equals(ar.result()))
                        log.info("GeoIP database reloaded (the file changed)");
                    }));
  }

  /**
   * Vert.x's own meters, with labels whose values are bounded: the route label is the matched
   * route's template ({@code /analytics/sessions/:id}), never the raw path; event-bus addresses are
   * left out because every request/reply creates a fresh reply address.
   */
  static MicrometerMetricsOptions vertxMetrics(AppConfig.Metrics cfg) {
    return new MicrometerMetricsOptions()
        .setEnabled(cfg.enabled())
        .setLabels(
            EnumSet.of(
                Label.HTTP_METHOD,
                Label.HTTP_CODE,
                Label.HTTP_ROUTE,
                Label.POOL_TYPE,
                Label.POOL_NAME))
        // Vert.x's event-bus meters cost more than the messages they count: a Counter builder and a
        // (re-)registered gauge per message and per reply handler, ~5 % of the heartbeat path's CPU
        // in bench/run.
        // The service's own meters (analytics_*) count what the bus carries.
        .setDisabledMetricsCategories(
            java.util.Set.of(io.vertx.micrometer.MetricsDomain.EVENT_BUS.toCategory()));
  }

  private static AppConfig withAdminKey(AppConfig config) throws java.io.IOException {
    if (!config.auth().adminApiKey().isEmpty()) return config;
    AdminKeyFile.Result key = AdminKeyFile.loadOrCreate(config.dataDir());
    if (key.generated()) {
      // printed once, on the run that creates it; the file (mode 600) keeps it
      System.out.println(
          "Generated admin API key (stored in " + key.file().toAbsolutePath() + "): " + key.key());
    } else {
      log.info("admin API key read from {}", key.file().toAbsolutePath());
    }
    return config.withAuth(config.auth().withAdminApiKey(key.key()));
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /**
   * Stops accepting (gateway first: in-flight requests finish), then the registry flushes its
   * buffered heartbeats, then the node leaves the cluster and the embedded PostgreSQL stops.
   */
  public void stop() {
    node.ready().set(false);
    for (int i = deployments.size() - 1; i >= 0; i--) {
      try {
        vertx
            .undeploy(deployments.get(i))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("undeploying {} failed: {}", deployments.get(i), e.toString());
      }
    }
    try {
      pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      node.heartbeatPool()
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("closing Vert.x failed: {}", e.toString());
    }
    try {
      node.geo().close();
    } catch (Exception e) {
      log.warn("closing the GeoIP database failed: {}", e.toString());
    }
    if (embedded != null) {
      try {
        embedded.close();
      } catch (Exception e) {
        log.warn("stopping embedded PostgreSQL failed: {}", e.toString());
      }
    }
    log.info("stopped");
  }

  public Vertx vertx() {
    return vertx;
  }

  public NodeContext node() {
    return node;
  }

  public AppConfig config() {
    return config;
  }

  public int httpPort() {
    return ports.http();
  }

  public int metricsPort() {
    return ports.metrics();
  }

  public Path dataDir() {
    return config.dataDir();
  }
}
