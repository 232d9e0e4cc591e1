package io.tracearr.analytics.testing;

import io.tracearr.analytics.Application;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigLoader;
import io.tracearr.analytics.config.DatabaseUrl;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real node for integration tests: the whole {@link Application} on a port of its own (port 0:
 * the operating system picks it), on a fresh database, with known API keys and JWT secret, and a
 * blocking HTTP client that goes through the real router. Test classes get theirs from {@link
 * NodeExtension}; a test that needs one more node of another configuration starts it with {@link
 * #start(JsonObject)} and closes it.
 */
public final class TestNode implements AutoCloseable {

  /**
   * Client keep-alive for test clients: below the server's 5 s idle timeout, so no request meets a
   * closing socket.
   */
  public static final int KEEP_ALIVE_SECONDS = 2;

  /**
   * A WebClient for a test's own requests, keep-alive below the server's idle timeout (see
   * KEEP_ALIVE_SECONDS).
   */
  public static WebClient client(Vertx vertx) {
    return WebClient.create(vertx, new WebClientOptions().setKeepAliveTimeout(KEEP_ALIVE_SECONDS));
  }

  public static final String ADMIN_KEY = "test-admin-key-0123456789";
  public static final String INGEST_KEY = "test-ingest-key-0123456789";
  public static final String VIEWER_KEY = "test-viewer-key-0123456789";
  public static final String JWT_SECRET = "test-jwt-secret-0123456789abcdef";

  private Application app;
  private DatabaseUrl db;
  private Vertx clientVertx;
  private WebClient client;

  /** A handle that serves once {@link #boot} has run (see {@link NodeExtension}). */
  TestNode() {}

  /** One more standalone node on a fresh database, for one test; close it (try-with-resources). */
  public static TestNode start(JsonObject overrides) {
    return start(TestDatabase.fresh(), overrides);
  }

  /**
   * A node on a database the test runs itself; {@code overrides} is merged into the defaults (same
   * shape as the yaml).
   */
  public static TestNode start(DatabaseUrl db, JsonObject overrides) {
    TestNode node = new TestNode();
    node.boot(db, overrides, Clock.systemUTC());
    return node;
  }

  void boot(DatabaseUrl db, JsonObject overrides, Clock sessionClock) {
    if (app != null) throw new IllegalStateException("already booted");
    try {
      JsonObject cfg = defaults();
      cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
      cfg.getJsonObject("database")
          .put(
              "url",
              "postgresql://"
                  + db.user()
                  + ":"
                  + db.password()
                  + "@"
                  + db.host()
                  + ":"
                  + db.port()
                  + "/"
                  + db.database());
      cfg.put("data_dir", Files.createTempDirectory("tracearr-node").toString());
      cfg.getJsonObject("auth")
          .put("admin_api_key", ADMIN_KEY)
          .put("ingest_api_key", INGEST_KEY)
          .put("viewer_api_key", VIEWER_KEY)
          .put("jwt_secret", JWT_SECRET);
      deepMerge(cfg, overrides);
      AppConfig config = ConfigLoader.build(cfg, Map.of());
      this.app = Application.start(config, sessionClock);
      this.db = db;
      this.clientVertx = Vertx.vertx();
      this.client =
          WebClient.create(
              clientVertx,
              new WebClientOptions()
                  .setDefaultHost("127.0.0.1")
                  .setDefaultPort(app.httpPort())
                  .setKeepAlive(true)
                  // below the server's idle timeout (http.idle_timeout_seconds, 5 s): a pooled
                  // connection is
                  // dropped by the client before the server closes it under a request being sent
                  .setKeepAliveTimeout(KEEP_ALIVE_SECONDS));
    } catch (Exception e) {
      throw new IllegalStateException("test node failed to start", e);
    }
  }

  /** The packaged defaults ({@code conf/application.yaml}) as JSON. */
  public static JsonObject defaults() {
    try (InputStream in =
        TestNode.class.getClassLoader().getResourceAsStream("defaults/application.yaml")) {
      Object tree = new org.yaml.snakeyaml.Yaml().load(in);
      return new JsonObject(io.vertx.core.json.Json.encode(tree));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deepMerge(JsonObject into, JsonObject from) {
    for (String key : from.fieldNames()) {
      Object v = from.getValue(key);
      if (v instanceof JsonObject o && into.getValue(key) instanceof JsonObject target)
        deepMerge(target, o);
      else into.put(key, v);
    }
  }

  /** The Hazelcast port this clustered node bound (the first free one from the configured base). */
  int clusterPort() {
    var hz = ((HazelcastClusterManager) app().node().clusterManager()).getHazelcastInstance();
    return hz.getCluster().getLocalMember().getAddress().getPort();
  }

  public Application app() {
    if (app == null)
      throw new IllegalStateException(
          "the node is not running (NodeExtension boots it before @BeforeAll)");
    return app;
  }

  public DatabaseUrl database() {
    return db;
  }

  public int port() {
    return app().httpPort();
  }

  public Vertx clientVertx() {
    app();
    return clientVertx;
  }

  public WebClient client() {
    app();
    return client;
  }

  // ---- blocking HTTP helpers
  // -----------------------------------------------------------------------------

  public HttpResponse<Buffer> send(HttpMethod method, String path, String token, Object body) {
    var req = client().request(method, path).timeout(30_000);
    if (token != null) req.putHeader("Authorization", "Bearer " + token);
    java.util.function.Supplier<io.vertx.core.Future<HttpResponse<Buffer>>> attempt =
        () ->
            body == null
                ? req.send()
                : body instanceof JsonObject j
                    ? req.sendJsonObject(j)
                    : req.putHeader("Content-Type", "application/json")
                        .sendBuffer(body instanceof Buffer b ? b : Buffer.buffer(body.toString()));
    // a pooled connection the server has just closed (after answering a request whose body it did
    // not read, or
    // at its idle timeout) fails before the request leaves: send it once more on a fresh
    // connection, as HTTP
    // clients do
    return await(
        attempt
            .get()
            .recover(
                err ->
                    err instanceof io.vertx.core.http.HttpClosedException
                        ? attempt.get()
                        : io.vertx.core.Future.failedFuture(err)));
  }

  public HttpResponse<Buffer> get(String path, String token) {
    return send(HttpMethod.GET, path, token, null);
  }

  /** The {@code items} of a list answer, which must be 200. */
  public JsonArray items(String path, String token) {
    HttpResponse<Buffer> r = get(path, token);
    if (r.statusCode() != 200)
      throw new AssertionError(
          "GET " + path + " answered " + r.statusCode() + ": " + r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("items");
  }

  /** {@code stats/daily} from {@code start} to {@code end} (dates, inclusive): its days. */
  public JsonArray daily(Object start, Object end, String token) {
    return items("/api/v1/analytics/stats/daily?start=" + start + "&end=" + end, token);
  }

  public HttpResponse<Buffer> post(String path, String token, Object body) {
    return send(HttpMethod.POST, path, token, body);
  }

  public HttpResponse<Buffer> put(String path, String token, Object body) {
    return send(HttpMethod.PUT, path, token, body);
  }

  public HttpResponse<Buffer> delete(String path, String token, Object body) {
    return send(HttpMethod.DELETE, path, token, body);
  }

  /** An HS256 JWT signed with the node's secret. */
  public String jwt(String subject, List<String> roles, Duration expiresIn) {
    JWTAuth auth =
        JWTAuth.create(
            clientVertx(),
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(JWT_SECRET)));
    JsonObject claims = new JsonObject().put("roles", new JsonArray(roles));
    if (subject != null) claims.put("sub", subject);
    JWTOptions opts = new JWTOptions().setAlgorithm("HS256");
    if (expiresIn.isNegative()) {
      claims.put("exp", System.currentTimeMillis() / 1000 + expiresIn.toSeconds());
      opts.setIgnoreExpiration(true);
    } else {
      opts.setExpiresInSeconds((int) expiresIn.toSeconds());
    }
    return auth.generateToken(claims, opts);
  }

  // ---- database helpers
  // ----------------------------------------------------------------------------------

  /** A single number from SQL against this node's database (to assert what was written). */
  public long count(String sql) {
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public void sql(String sql) {
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement()) {
      st.execute(sql);
      // a seed written straight into the partitioned sessions table (V16) gets the guard rows the
      // registry's own INSERT writes with each session, so the service finds and ends it by id
      if (sql.contains("INSERT INTO playback_sessions"))
        st.execute(
            "INSERT INTO session_ids (id, started_at) SELECT id, started_at FROM playback_sessions"
                + " ON CONFLICT (id) DO NOTHING");
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** A whole table (small fixtures), as text, to prove that a bad request changed nothing. */
  public String snapshot(String table) {
    StringBuilder sb = new StringBuilder();
    try (Connection c = TestDatabase.connect(db);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY 1")) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= n; i++) sb.append(rs.getString(i)).append('|');
        sb.append('\n');
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return sb.toString();
  }

  public static <T> T await(io.vertx.core.Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (app == null) return;
    try {
      client.close();
      clientVertx.close();
    } finally {
      app.stop();
      app = null;
    }
  }

  public static Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  public static Path tempDir() {
    try {
      return Files.createTempDirectory("tracearr");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
