package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.detect.ActivityRepository;
import io.tracearr.analytics.detect.AlertRepository;
import io.tracearr.analytics.detect.RuleSettingsStore;
import io.tracearr.analytics.detect.UserControlsStore;
import io.tracearr.analytics.enforce.EnforcementStore;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.FailedAuthLimiter;
import io.tracearr.analytics.gateway.http.FlatJson;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestIds;
import io.tracearr.analytics.gateway.live.TextMessages;
import io.tracearr.analytics.importer.ImportStore;
import io.tracearr.analytics.keys.ApiKeyQueries;
import io.tracearr.analytics.media.MediaServerRepository;
import io.tracearr.analytics.node.NodeContext;
import io.tracearr.analytics.notify.NotificationRepository;
import io.tracearr.analytics.session.SessionRepository;
import io.tracearr.analytics.session.SessionSearch;
import io.tracearr.analytics.session.UserQueries;
import io.tracearr.analytics.stats.StatsCalendar;
import io.tracearr.analytics.stats.StatsRepository;
import io.tracearr.analytics.stats.UsageRepository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatorException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP door: health, metrics, the REST API generated from {@code openapi.yaml} (a route exists
 * only if the contract names it, and every contract operation must have a handler, or the gateway
 * refuses to start), and problem+json for every error.
 */
public final class GatewayVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);

  /** Where the node listens, filled in by the first instance that binds. */
  public static final class Ports {
    private volatile int http;
    private volatile int metrics;

    public int http() {
      return http;
    }

    public int metrics() {
      return metrics;
    }
  }

  private final NodeContext node;
  private final Ports ports;
  private final AppConfig cfg;
  private HttpServer server;
  private HttpServer metricsServer;
  private BearerAuth auth;
  private LiveHub live;
  private IngestChannel ingest;

  public GatewayVerticle(NodeContext node, Ports ports) {
    this.node = node;
    this.ports = ports;
    this.cfg = node.config();
  }

  @Override
  public Future<?> start() {
    auth =
        new BearerAuth(
            vertx,
            cfg.auth(),
            new ApiKeyQueries(node.pool()),
            FailedAuthLimiter.forNode(
                vertx, cfg.auth().failedAuthPerMinute(), node.metrics()::authRateLimited));
    live = new LiveHub(vertx, node, auth);
    ingest = new IngestChannel(vertx, node, auth);
    ingest.start();
    return auth.start()
        .compose(v -> live.start())
        .compose(v -> vertx.fileSystem().readFile("openapi.yaml"))
        .compose(
            text ->
                OpenAPIContract.from(vertx, routable(text)).map(contract -> router(contract, text)))
        .compose(
            router ->
                vertx
                    .createHttpServer(serverOptions())
                    .invalidRequestHandler(HttpDoor::invalidRequest)
                    .connectionHandler(HttpDoor::guard)
                    .requestHandler(req -> admit(req, router))
                    .listen(cfg.http().port(), cfg.http().host()))
        .compose(
            server -> {
              this.server = server;
              ports.http = server.actualPort();
              return startMetricsServer();
            });
  }

  /**
   * The contract as the router reads it. vertx-openapi 5.0 refuses response media types it cannot
   * validate (application/problem+json); responses are not validated by the router, so those
   * entries are renamed for it while the served file keeps the truth.
   */
  @SuppressWarnings("unchecked")
  static JsonObject routable(Buffer yamlText) {
    Object tree = new org.yaml.snakeyaml.Yaml().load(yamlText.toString());
    String json =
        io.vertx.core.json.Json.encode(tree)
            .replace("\"application/problem+json\"", "\"application/json\"");
    JsonObject contract = new JsonObject(json);
    // bearer auth runs before the contract router (401 before 400), so the router does not repeat
    // it
    contract.remove("security");
    return contract;
  }

  private static void admit(io.vertx.core.http.HttpServerRequest req, Router router) {
    if (HttpDoor.admit(req)) router.handle(req);
  }

  /** Stop accepting, give in-flight requests a moment to finish, then close. */
  @Override
  public Future<?> stop() {
    if (ingest != null) ingest.stop();
    if (auth != null) auth.stop();
    Future<Void> hub = live == null ? Future.succeededFuture() : live.stop();
    Future<Void> main =
        server == null
            ? Future.succeededFuture()
            : server.shutdown(5, java.util.concurrent.TimeUnit.SECONDS);
    Future<Void> metrics =
        metricsServer == null
            ? Future.succeededFuture()
            : metricsServer.shutdown(1, java.util.concurrent.TimeUnit.SECONDS);
    return Future.join(hub, main, metrics);
  }

  private HttpServerOptions serverOptions() {
    HttpServerOptions options =
        new HttpServerOptions()
            .setTcpNoDelay(true)
            .setCompressionSupported(false)
            // short, so a half-sent request is not held (issue 19 F7); upgraded WebSockets get a
            // longer one
            .setIdleTimeout(cfg.http().idleTimeoutSeconds())
            .setMaxWebSocketFrameSize(TextMessages.MAX_MESSAGE_BYTES)
            .setMaxWebSocketMessageSize(TextMessages.MAX_MESSAGE_BYTES)
            // no WebSocket extension, so Netty's decoder refuses RSV bits (1002) instead of passing
            // them on
            .setPerMessageWebSocketCompressionSupported(false)
            .setPerFrameWebSocketCompressionSupported(false);
    if (cfg.http().tls()) {
      // HTTPS only: a plain request on this port fails the handshake instead of being served in the
      // clear
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(cfg.http().tlsCertPath().toString())
                  .setKeyPath(cfg.http().tlsKeyPath().toString()));
    }
    return options;
  }

  private Future<?> startMetricsServer() {
    if (!cfg.metrics().enabled() || cfg.metrics().port() == 0) return Future.succeededFuture();
    Router metrics = Router.router(vertx);
    metrics.get(cfg.metrics().path()).handler(this::scrape);
    metrics.route().last().handler(rc -> rc.fail(404));
    metrics.route().failureHandler(this::renderFailure);
    return vertx
        .createHttpServer()
        .requestHandler(metrics)
        .listen(cfg.metrics().port(), cfg.http().host())
        .onSuccess(
            s -> {
              metricsServer = s;
              ports.metrics = s.actualPort();
            });
  }

  private Router router(OpenAPIContract contract, Buffer contractText) {
    Router root = Router.router(vertx);
    root.route().handler(RequestIds::tag);
    if (!cfg.http().corsOrigins().isEmpty()) root.route().handler(cors(cfg.http().corsOrigins()));
    MediaServerRepository mediaServers = new MediaServerRepository(node.pool());
    new HealthRoutes(
            node,
            () -> new JsonObject().put("geoip", node.geo().enabled() ? "enabled" : "disabled"),
            mediaServers::health)
        .mount(root);
    if (cfg.metrics().enabled() && cfg.metrics().port() == 0)
      root.get(cfg.metrics().path()).handler(this::scrape);
    root.get("/api/v1/openapi.yaml")
        .handler(
            rc -> rc.response().putHeader("Content-Type", "application/yaml").end(contractText));

    // WebSocket upgrades authenticate themselves (token also accepted as ?access_token=) and have
    // no body
    root.get("/api/v1/live").handler(live::upgrade);
    root.get("/api/v1/ingest").handler(ingest::upgrade);
    ImportRoutes.mountUpload(root, auth, cfg);
    root.route("/api/v1/*").handler(GatewayVerticle::requireJsonContentType);
    root.route("/api/v1/*")
        .handler(BodyHandler.create(false).setBodyLimit(cfg.http().maxBodyBytes()));
    root.route("/api/v1/*").handler(GatewayVerticle::requireJsonObjectBody);
    // the contract describes no data: it is public like /health, so clients can fetch it before
    // they hold a key
    root.route("/api/v1/*").handler(auth::handle);
    root.route("/api/v1/*").subRouter(api(contract));
    // chart and API-browser libraries ship as WebJars inside the jar: versioned paths, so they
    // may be cached for long
    root.get("/webjars/*")
        .handler(GatewayVerticle::pageHeaders)
        .handler(
            StaticHandler.create("META-INF/resources/webjars")
                .setDirectoryListing(false)
                .setMaxAgeSeconds(86_400));
    root.get()
        .handler(GatewayVerticle::pageHeaders)
        .handler(StaticHandler.create("webroot").setCachingEnabled(false));

    root.route().failureHandler(this::renderFailure);
    for (int status : new int[] {400, 404, 405, 413, 415, 500, 501, 503, 505}) {
      root.errorHandler(status, this::renderFailure);
    }
    return root;
  }

  /** The REST API: routes from the contract, handlers by operationId. */
  private Router api(OpenAPIContract contract) {
    RequestExtractor extractor = RequestExtractor.withBodyHandler();
    RouterBuilder builder = RouterBuilder.create(vertx, contract, extractor);
    ContractValidation validation = new ContractValidation(vertx, contract);
    Map<String, Handler<RoutingContext>> operations = new HashMap<>();
    operations.putAll(new SessionRoutes(vertx, new SessionRepository(node.pool())).operations());
    EnforcementStore enforcement = new EnforcementStore(node.pool());
    operations.putAll(
        new AlertRoutes(vertx, new AlertRepository(node.pool()), enforcement).operations());
    operations.putAll(
        new EnforceRoutes(vertx, new RuleSettingsStore(node.pool(), cfg), enforcement)
            .operations());
    operations.putAll(
        new UserRoutes(
                new UserQueries(node.pool()),
                new AlertRepository(node.pool()),
                new ActivityRepository(node.pool()),
                new UserControlsStore(node.pool()))
            .operations());
    operations.putAll(
        new UserControlRoutes(
                vertx, new UserControlsStore(node.pool()), new RuleSettingsStore(node.pool(), cfg))
            .operations());
    operations.putAll(new ServerRoutes(vertx, new MediaServerRepository(node.pool())).operations());
    operations.putAll(
        new NotificationRoutes(vertx, new NotificationRepository(node.pool())).operations());
    operations.putAll(new ImportRoutes(vertx, new ImportStore(node.pool())).operations());
    operations.putAll(new KeyRoutes(vertx, new ApiKeyQueries(node.pool()), auth).operations());
    operations.putAll(
        new StatsRoutes(
                vertx,
                cfg.analytics(),
                new StatsRepository(node.pool(), new StatsCalendar(cfg.analytics().timezone())))
            .operations());
    operations.putAll(
        new UsageRoutes(
                vertx,
                cfg.analytics(),
                new UsageRepository(node.pool(), new StatsCalendar(cfg.analytics().timezone())))
            .operations());
    operations.putAll(
        new HistoryRoutes(
                new SessionSearch(node.pool(), new SessionRepository(node.pool())),
                new StatsCalendar(cfg.analytics().timezone()),
                node.metrics().registry())
            .operations());
    Set<String> missing = new TreeSet<>();
    for (OpenAPIRoute route : builder.getRoutes()) {
      Handler<RoutingContext> h = operations.remove(route.getOperation().getOperationId());
      if (h != null)
        h =
            AuditTrail.wrap(
                vertx,
                route.getOperation().getOperationId(),
                route.getOperation().getHttpMethod().name(),
                h);
      if (h == null) missing.add(route.getOperation().getOperationId());
      else if (SessionRoutes.VALIDATED_BY_REGISTRY.contains(route.getOperation().getOperationId())
          || ServerRoutes.VALIDATED_BY_CONNECTOR.contains(route.getOperation().getOperationId())
          || ImportRoutes.VALIDATED_BY_HANDLER.contains(route.getOperation().getOperationId()))
        route.setDoValidation(false).addHandler(guarded(h));
      // the library's own validation is replaced by the same checks without its per-request costs
      // (ContractValidation)
      else
        route
            .setDoValidation(false)
            .addHandler(validation.handler(route.getOperation(), extractor))
            .addHandler(guarded(h))
            .addFailureHandler(rc -> contractFailure(rc, route));
    }
    if (!missing.isEmpty() || !operations.isEmpty()) {
      throw new IllegalStateException(
          "openapi.yaml and the handlers disagree: no handler for "
              + missing
              + ", not in the contract: "
              + operations.keySet());
    }
    return builder.createRouter();
  }

  /**
   * Contract violations are explained with the operation's own schemas; anything else goes to the
   * root handler.
   */
  private static void contractFailure(RoutingContext rc, OpenAPIRoute route) {
    Throwable f = rc.failure();
    if (f instanceof io.vertx.ext.web.handler.HttpException he && he.getCause() != null)
      f = he.getCause();
    if (f instanceof ValidatorException ve)
      HttpReplies.problem(rc, ContractProblems.from(ve, route.getOperation()));
    else rc.next();
  }

  /**
   * A handler's synchronous throw (e.g. a {@link Problem} from a role check) fails the request like
   * an async one.
   */
  private static Handler<RoutingContext> guarded(Handler<RoutingContext> h) {
    return rc -> {
      try {
        h.handle(rc);
      } catch (RuntimeException e) {
        rc.fail(e);
      }
    };
  }

  /** The dashboard talks only to this origin: no inline script, no third-party anything. */
  private static void pageHeaders(RoutingContext rc) {
    rc.response()
        .putHeader(
            "Content-Security-Policy",
            "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer");
    rc.next();
  }

  /**
   * Only the configured origins, only what the API uses; no credentials (tokens go in a header,
   * never cookies).
   */
  private static io.vertx.ext.web.handler.CorsHandler cors(java.util.List<String> origins) {
    return io.vertx.ext.web.handler.CorsHandler.create()
        .addOrigins(origins)
        .allowedMethods(
            Set.of(
                io.vertx.core.http.HttpMethod.GET,
                io.vertx.core.http.HttpMethod.POST,
                io.vertx.core.http.HttpMethod.PUT,
                io.vertx.core.http.HttpMethod.DELETE))
        .allowedHeaders(Set.of("Authorization", "Content-Type"))
        .exposedHeaders(Set.of("X-Request-Id", "Retry-After", "WWW-Authenticate"))
        .maxAgeSeconds(600);
  }

  /**
   * One rule for every body (issue 19 F7), on every route: a request that carries one must say
   * {@code application/json}, parameters allowed, the media type compared case-insensitively;
   * anything else is 415, decided before the body handler reads it (which would otherwise decode a
   * form or multipart body, and failed with a 500 on some). The header is then normalised, so the
   * contract validator behind this cannot apply a stricter rule of its own.
   */
  private static void requireJsonContentType(RoutingContext rc) {
    var req = rc.request();
    // a route that reads its own body by its contract (the multipart import upload) has already
    // done so
    if (rc.body().available()) {
      rc.next();
      return;
    }
    String length = req.getHeader("Content-Length");
    boolean hasBody =
        req.getHeader("Transfer-Encoding") != null
            || (length != null && !length.trim().equals("0"));
    if (hasBody) {
      if (!isJson(req.getHeader("Content-Type"))) {
        rc.fail(Problem.ofStatus(415));
        return;
      }
      req.headers().set("Content-Type", "application/json");
    }
    rc.next();
  }

  /**
   * Malformed JSON, or JSON that is not an object ({@code null}, a number, an array), is a 400
   * naming the body before validation or any handler sees it. Parsing through {@code rc.body()}
   * caches the result, so the contract validator and the handler reuse this one parse.
   */
  private static void requireJsonObjectBody(RoutingContext rc) {
    if (rc.body() == null || rc.body().isEmpty()) {
      rc.next();
      return;
    }
    // a heartbeat (PUT /analytics/sessions/:id) is a flat object: read straight from its bytes,
    // for SessionRoutes to take; anything else falls through to the usual parse and its errors
    if (rc.request().method() == io.vertx.core.http.HttpMethod.PUT
        && rc.request().path().startsWith(SessionRoutes.SESSIONS_PATH)) {
      JsonObject flat = FlatJson.parse(rc.body().buffer());
      if (flat != null) {
        rc.put(SessionRoutes.FLAT_BODY, flat);
        rc.next();
        return;
      }
    }
    try {
      if (rc.body().asJsonObject() == null) {
        rc.fail(Problem.validation("body", "must be a JSON object"));
        return;
      }
    } catch (DecodeException e) {
      rc.fail(Problem.validation("body", "is not valid JSON"));
      return;
    } catch (ClassCastException e) {
      rc.fail(Problem.validation("body", "must be a JSON object"));
      return;
    }
    rc.next();
  }

  static boolean isJson(String contentType) {
    if (contentType == null) return false;
    int semi = contentType.indexOf(';');
    String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return media.equalsIgnoreCase("application/json");
  }

  private void scrape(RoutingContext rc) {
    rc.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(node.prometheus().scrape());
  }

  private void renderFailure(RoutingContext rc) {
    Throwable failure = rc.failure();
    if (failure instanceof io.vertx.ext.web.handler.HttpException he && he.getCause() != null)
      failure = he.getCause();
    Problem problem;
    if (failure instanceof Problem p) {
      problem = p;
    } else if (failure instanceof ValidatorException ve) {
      problem = ContractProblems.from(ve, null);
    } else if (failure instanceof DecodeException) {
      problem = Problem.validation("body", "is not valid JSON");
    } else if (failure != null && rc.statusCode() <= 0) {
      log.error(
          "request {}: unhandled failure on {} {}",
          RequestIds.requestId(rc),
          rc.request().method(),
          rc.request().path(),
          failure);
      problem = Problem.ofStatus(500);
    } else {
      problem = Problem.ofStatus(rc.statusCode() > 0 ? rc.statusCode() : 500);
    }
    HttpReplies.problem(rc, problem);
  }
}
