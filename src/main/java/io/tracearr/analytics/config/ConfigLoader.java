package io.tracearr.analytics.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads configuration with vertx-config (the packaged defaults, then the yaml file, then
 * environment variables) and turns it into a validated {@link AppConfig}. Every check names the
 * key, the value and what is allowed.
 */
public final class ConfigLoader {

  /** 0 = derived from the maximum heap ({@link HeapSizing}); a positive value as given. */
  private static int orHeap(int configured, java.util.function.LongToIntFunction derive) {
    return configured > 0 ? configured : derive.applyAsInt(HeapSizing.maxHeapBytes());
  }

  /** Environment variable → configuration key. Values are parsed with the key's type. */
  public static final Map<String, String> ENV_KEYS = envKeys();

  private static Map<String, String> envKeys() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ANALYTICS_ENABLED", "analytics.enabled");
    m.put("ANALYTICS_GEOIP_DB_PATH", "analytics.geoip_db_path");
    m.put("ANALYTICS_RETENTION_DAYS", "analytics.retention_days");
    m.put("ANALYTICS_SHARING_DETECTION_ENABLED", "analytics.sharing_detection.enabled");
    m.put("ANALYTICS_SWEEP_SECONDS", "analytics.sharing_detection.sweep_seconds");
    m.put("ANALYTICS_NOTIFICATIONS_ENABLED", "notifications.enabled");
    m.put("ANALYTICS_NOTIFICATIONS_DASHBOARD_URL", "notifications.dashboard_url");
    m.put("ANALYTICS_NOTIFICATIONS_CLAIM_SECONDS", "notifications.claim_seconds");
    m.put("ANALYTICS_TIMEZONE", "analytics.timezone");
    m.put("ANALYTICS_ROLLUP_INTERVAL_SECONDS", "analytics.rollup_interval_seconds");
    m.put("ANALYTICS_HTTP_HOST", "http.host");
    m.put("ANALYTICS_HTTP_PORT", "http.port");
    m.put("ANALYTICS_DATABASE_URL", "database.url");
    m.put("ANALYTICS_DATA_DIR", "data_dir");
    m.put("ANALYTICS_SESSION_TIMEOUT_SECONDS", "sessions.timeout_seconds");
    m.put("ANALYTICS_REAP_INTERVAL_SECONDS", "sessions.reap_interval_seconds");
    m.put("ANALYTICS_CLUSTER", "cluster.enabled");
    m.put("ANALYTICS_CLUSTER_NAME", "cluster.name");
    m.put("ANALYTICS_CLUSTER_MEMBERS", "cluster.members");
    m.put("ANALYTICS_CLUSTER_PORT", "cluster.port");
    m.put("ANALYTICS_CLUSTER_CONFIG", "cluster.config_path");
    m.put("ANALYTICS_ADMIN_API_KEY", "auth.admin_api_key");
    m.put("ANALYTICS_INGEST_API_KEY", "auth.ingest_api_key");
    m.put("ANALYTICS_VIEWER_API_KEY", "auth.viewer_api_key");
    m.put("ANALYTICS_JWT_SECRET", "auth.jwt_secret");
    m.put("ANALYTICS_HTTP_TLS_CERT_PATH", "http.tls.cert_path");
    m.put("ANALYTICS_HTTP_TLS_KEY_PATH", "http.tls.key_path");
    m.put("ANALYTICS_METRICS_PORT", "metrics.port");
    m.put("ANALYTICS_HTTP_CORS_ORIGINS", "http.cors_origins");
    m.put("ANALYTICS_IMPORTS_MAX_UPLOAD_MB", "imports.max_upload_mb");
    return Map.copyOf(m);
  }

  private ConfigLoader() {}

  /**
   * Loads the configuration. The file is {@code ANALYTICS_CONFIG} when set (it must be readable),
   * else {@code conf/application.yaml} when present; the packaged defaults fill every missing key.
   */
  public static Future<AppConfig> load(Vertx vertx, Map<String, String> env) {
    String explicit = env.get("ANALYTICS_CONFIG");
    Path file;
    if (explicit != null && !explicit.isBlank()) {
      file = Path.of(explicit);
      if (!Files.isReadable(file) || Files.isDirectory(file)) {
        return Future.failedFuture(
            new ConfigException("ANALYTICS_CONFIG", explicit, "a readable yaml file"));
      }
    } else {
      file = Path.of("conf", "application.yaml");
    }
    ConfigRetrieverOptions options =
        new ConfigRetrieverOptions()
            .setIncludeDefaultStores(false)
            .addStore(yaml("defaults/application.yaml", false));
    if (Files.isReadable(file)) {
      options.addStore(yaml(file.toAbsolutePath().toString(), false));
    }
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    Path shownFile = file;
    return retriever
        .getConfig()
        .recover(
            err ->
                Future.failedFuture(
                    new ConfigException(
                        "config file "
                            + shownFile
                            + " is not valid yaml: "
                            + firstLine(err.getMessage()))))
        .map(json -> build(json, env))
        .eventually(retriever::close);
  }

  private static ConfigStoreOptions yaml(String path, boolean optional) {
    return new ConfigStoreOptions()
        .setType("file")
        .setFormat("yaml")
        .setOptional(optional)
        .setConfig(new JsonObject().put("path", path));
  }

  private static String firstLine(String s) {
    if (s == null) return "unreadable";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Applies environment overrides to the file configuration and validates the result. */
  public static AppConfig build(JsonObject fileConfig, Map<String, String> env) {
    Settings s = new Settings(fileConfig.copy(), env);
    String tlsCert = s.string("http.tls.cert_path", true);
    String tlsKey = s.string("http.tls.key_path", true);
    if (tlsCert.isEmpty() != tlsKey.isEmpty()) {
      String missing = tlsCert.isEmpty() ? "http.tls.cert_path" : "http.tls.key_path";
      throw new ConfigException(
          s.source(missing), "", "a PEM file path (cert_path and key_path go together)");
    }
    for (String key : new String[] {"http.tls.cert_path", "http.tls.key_path"}) {
      String v = key.endsWith("cert_path") ? tlsCert : tlsKey;
      if (!v.isEmpty() && !java.nio.file.Files.isReadable(Path.of(v))) {
        throw new ConfigException(s.source(key), v, "a readable PEM file");
      }
    }
    var http =
        new AppConfig.Http(
            s.string("http.host", false),
            s.integer("http.port", 0, 65535),
            s.integer("http.instances", 1, 64),
            s.integer("http.max_body_bytes", 1024, 16 * 1024 * 1024),
            s.integer("http.idle_timeout_seconds", 1, 3_600),
            s.origins("http.cors_origins"),
            tlsCert.isEmpty() ? null : Path.of(tlsCert),
            tlsKey.isEmpty() ? null : Path.of(tlsKey));
    String url = s.string("database.url", true);
    var database =
        new AppConfig.Database(
            url.isBlank() ? null : DatabaseUrl.parse(s.source("database.url"), url),
            s.integer("database.pool_size", 1, 200),
            s.integer("database.max_wait_queue", 0, 100_000),
            s.integer("database.connect_timeout_ms", 100, 120_000));
    Path dataDir = Path.of(s.string("data_dir", false));
    var rules =
        new AppConfig.Rules(
            s.bool("analytics.sharing_detection.rules.concurrent_streams"),
            s.bool("analytics.sharing_detection.rules.geo_impossible"),
            s.bool("analytics.sharing_detection.rules.impossible_travel"),
            s.bool("analytics.sharing_detection.rules.device_spike"));
    var detection =
        new AppConfig.SharingDetection(
            s.bool("analytics.sharing_detection.enabled"),
            s.integer("analytics.sharing_detection.concurrent_streams_threshold", 1, 1000),
            s.decimal("analytics.sharing_detection.geo_distance_threshold_km", 1, 40_000),
            s.integer("analytics.sharing_detection.device_spike_threshold", 1, 10_000),
            s.decimal("analytics.sharing_detection.max_travel_speed_kmh", 1, 100_000),
            s.integer("analytics.sharing_detection.sweep_seconds", 1, 86_400),
            s.cidrs("analytics.sharing_detection.trusted_networks"),
            rules);
    String geoip = s.string("analytics.geoip_db_path", true);
    var analytics =
        new AppConfig.Analytics(
            s.bool("analytics.enabled"),
            s.integer("analytics.retention_days", 1, 36_500),
            s.zone("analytics.timezone"),
            s.integer("analytics.min_play_seconds", 0, 86_400),
            s.integer("analytics.rollup_interval_seconds", 1, 86_400),
            geoip.isBlank() ? null : Path.of(geoip),
            detection);
    var sessions =
        new AppConfig.Sessions(
            s.integer("sessions.timeout_seconds", 1, 86_400),
            s.integer("sessions.reap_interval_seconds", 1, 3_600),
            s.integer("sessions.heartbeat_flush_ms", 10, 1_000),
            s.integer("sessions.heartbeat_buffer_max", 100, 10_000_000),
            s.integer("sessions.command_timeout_ms", 100, 60_000),
            s.integer("sessions.start_batch_max", 1, 10_000),
            s.integer("sessions.start_batches_in_flight", 1, 64),
            orHeap(s.integer("sessions.updated_held_max", 0, 10_000_000), HeapSizing::updatedHeld),
            s.integer("sessions.updated_max_per_second", 0, 1_000_000));
    String clusterConfig = s.string("cluster.config_path", true);
    var cluster =
        new AppConfig.Cluster(
            s.bool("cluster.enabled"),
            s.string("cluster.name", false),
            s.list("cluster.members"),
            s.integer("cluster.port", 1, 65535),
            clusterConfig.isBlank() ? null : Path.of(clusterConfig));
    var auth =
        new AppConfig.Auth(
            s.secret("auth.admin_api_key"),
            s.secret("auth.ingest_api_key"),
            s.secret("auth.viewer_api_key"),
            s.secret("auth.jwt_secret"),
            s.bool("auth.jwt_require_exp"),
            s.integer("auth.failed_auth_per_minute", 0, 1_000_000));
    var live =
        new AppConfig.Live(
            s.integer("live.slow_reader_close_seconds", 1, 3_600),
            s.integer("live.write_queue_max_bytes", 1024, 64 * 1024 * 1024),
            s.integer("live.updated_min_interval_ms", 0, 60_000),
            s.integer("live.flush_interval_ms", 0, 1_000),
            s.integer("live.updated_max_per_second", 0, 1_000_000),
            orHeap(
                s.integer("live.queued_bytes_max", 0, Integer.MAX_VALUE),
                HeapSizing::liveQueuedBytes),
            orHeap(
                s.integer("live.snapshot_backlog_max", 0, 1_000_000), HeapSizing::snapshotBacklog),
            orHeap(
                s.integer("live.updated_waiting_max", 0, 10_000_000), HeapSizing::updatedWaiting));
    String metricsPath = s.string("metrics.path", false);
    if (!metricsPath.startsWith("/")) {
      throw new ConfigException(s.source("metrics.path"), metricsPath, "a path starting with /");
    }
    var metrics =
        new AppConfig.Metrics(
            s.bool("metrics.enabled"), s.integer("metrics.port", 0, 65535), metricsPath);
    String dashboardUrl = s.string("notifications.dashboard_url", true);
    if (!dashboardUrl.isEmpty() && !dashboardUrl.matches("https?://\\S+")) {
      throw new ConfigException(
          s.source("notifications.dashboard_url"), dashboardUrl, "an http(s) URL or empty");
    }
    var notifications =
        new AppConfig.Notifications(
            s.bool("notifications.enabled"),
            dashboardUrl.isEmpty() ? null : dashboardUrl,
            s.integer("notifications.max_attempts", 1, 100),
            s.integer("notifications.sweep_seconds", 1, 3_600),
            s.integer("notifications.max_in_flight", 1, 10_000),
            s.objects("notifications.channels"),
            // a claim outlasts one attempt (10 s send timeout) so a live node's delivery is never
            // taken over mid-send
            s.integer("notifications.claim_seconds", 15, 3_600),
            s.integer("notifications.max_in_flight_per_channel", 1, 10_000));
    var media =
        new AppConfig.Media(
            s.integer("media.lease_seconds", 3, 600), mediaServers(fileConfig, env));
    var imports = new AppConfig.Imports(s.integer("imports.max_upload_mb", 1, 1024 * 1024));
    java.util.Map<String, RuleAction> ruleActions = new java.util.LinkedHashMap<>();
    for (String rule : RULES) {
      String key = "enforcement.rule_actions." + rule;
      Object v = s.raw(key);
      if (v == null) {
        ruleActions.put(rule, RuleAction.NONE);
        continue;
      }
      if (!(v instanceof JsonObject o))
        throw new ConfigException(s.source(key), "<not an object>", "an object");
      try {
        ruleActions.put(rule, RuleAction.from(o, RuleAction.NONE));
      } catch (RuleAction.Invalid e) {
        throw new ConfigException(key + "." + e.field(), o.getValue(e.field()), e.getMessage());
      }
    }
    var enforcement =
        new AppConfig.Enforcement(
            s.integer("enforcement.poll_ms", 50, 60_000),
            // a claim outlasts one carry-out's worst case (re-judgement 10 s, then in parallel per
            // target the media stop 15 s and the end 10 s), so a live node's action is never taken
            // over and run twice
            s.integer("enforcement.claim_seconds", 60, 3_600),
            java.util.Map.copyOf(ruleActions));
    var trust =
        new AppConfig.Trust(
            s.integer("trust.penalty.low", 0, 100),
            s.integer("trust.penalty.medium", 0, 100),
            s.integer("trust.penalty.high", 0, 100),
            s.integer("trust.recovery_per_day", 0, 100));
    return new AppConfig(
        http,
        database,
        dataDir,
        analytics,
        sessions,
        cluster,
        auth,
        live,
        metrics,
        media,
        notifications,
        imports,
        enforcement,
        trust);
  }

  /** The sharing rules' names, as the API and the config spell them. */
  public static final List<String> RULES =
      List.of("concurrent_streams", "geo_impossible", "impossible_travel", "device_spike");

  static final java.util.Set<String> MEDIA_SERVER_TYPES =
      java.util.Set.of("jellyfin", "emby", "plex");

  /**
   * {@code media_servers:}, a list of {name, type, url, token | token_env, enabled,
   * poll_interval_seconds}. Errors name the entry ({@code media_servers[1].url}); a token is never
   * echoed.
   */
  private static List<AppConfig.MediaServer> mediaServers(
      JsonObject root, Map<String, String> env) {
    Object v = root.getValue("media_servers");
    if (v == null) return List.of();
    if (!(v instanceof JsonArray arr))
      throw new ConfigException("media_servers", v, "a list of servers");
    List<AppConfig.MediaServer> out = new ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < arr.size(); i++) {
      String key = "media_servers[" + i + "]";
      if (!(arr.getValue(i) instanceof JsonObject o))
        throw new ConfigException(key, arr.getValue(i), "an object");
      Object name = o.getValue("name");
      if (!(name instanceof String n) || n.isBlank() || n.strip().length() > 100) {
        throw new ConfigException(
            key + ".name", name, "a non-empty string of at most 100 characters");
      }
      if (!names.add(n.strip()))
        throw new ConfigException(key + ".name", n, "a name no other entry uses");
      Object type = o.getValue("type");
      if (!(type instanceof String t)
          || !MEDIA_SERVER_TYPES.contains(t.strip().toLowerCase(java.util.Locale.ROOT))) {
        throw new ConfigException(key + ".type", type, "one of emby, jellyfin, plex");
      }
      Object url = o.getValue("url");
      if (!(url instanceof String u) || !httpUrl(u.strip()))
        throw new ConfigException(key + ".url", url, "an http:// or https:// URL");
      String token;
      Object tokenEnv = o.getValue("token_env");
      if (tokenEnv != null) {
        token = tokenEnv instanceof String te ? env.get(te) : null;
        if (token == null || token.isBlank()) {
          throw new ConfigException(
              key + ".token_env", tokenEnv, "the name of a set, non-empty environment variable");
        }
      } else {
        Object tk = o.getValue("token");
        if (!(tk instanceof String ts) || ts.isBlank())
          throw new ConfigException(key + ".token", "<hidden>", "a non-empty string");
        token = ts;
      }
      Object enabled = o.getValue("enabled", true);
      if (!(enabled instanceof Boolean en))
        throw new ConfigException(key + ".enabled", enabled, "true or false");
      Object interval = o.getValue("poll_interval_seconds", 5);
      if (!(interval instanceof Integer iv) || iv < 1 || iv > 60) {
        throw new ConfigException(key + ".poll_interval_seconds", interval, "an integer 1..60");
      }
      out.add(
          new AppConfig.MediaServer(
              n.strip(),
              ((String) type).strip().toLowerCase(java.util.Locale.ROOT),
              ((String) url).strip(),
              token.strip(),
              en,
              iv));
    }
    return List.copyOf(out);
  }

  /** http or https with a host: what the connector can call. */
  static boolean httpUrl(String s) {
    try {
      java.net.URI uri = new java.net.URI(s);
      String scheme = uri.getScheme();
      return scheme != null
          && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          && uri.getHost() != null
          && !uri.getHost().isBlank()
          && uri.getQuery() == null
          && uri.getFragment() == null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** Typed access to the merged settings; an environment variable wins over the file. */
  private static final class Settings {
    private final JsonObject root;
    private final Map<String, String> envByKey = new LinkedHashMap<>();
    private final Map<String, String> envNameByKey = new LinkedHashMap<>();

    Settings(JsonObject root, Map<String, String> env) {
      this.root = root;
      ENV_KEYS.forEach(
          (name, key) -> {
            String v = env.get(name);
            if (v != null) {
              envByKey.put(key, v);
              envNameByKey.put(key, name);
            }
          });
    }

    String source(String key) {
      String env = envNameByKey.get(key);
      return env == null ? key : key + " (" + env + ")";
    }

    Object raw(String key) {
      if (envByKey.containsKey(key)) return envByKey.get(key);
      Object cur = root;
      for (String part : key.split("\\.")) {
        if (!(cur instanceof JsonObject obj)) return null;
        cur = obj.getValue(part);
      }
      return cur;
    }

    String string(String key, boolean blankAllowed) {
      Object v = raw(key);
      if (v == null && blankAllowed) return "";
      if (!(v instanceof String str) || (!blankAllowed && str.isBlank())) {
        throw new ConfigException(source(key), v, blankAllowed ? "a string" : "a non-empty string");
      }
      return str.trim();
    }

    String secret(String key) {
      Object v = raw(key);
      if (v == null) return "";
      if (!(v instanceof String str))
        throw new ConfigException(source(key), "<non-string>", "a string");
      String t = str.trim();
      if (!t.isEmpty() && t.length() < 16) {
        // the value itself is never echoed: it is a credential
        throw new ConfigException(
            source(key), "<" + t.length() + " characters>", "empty or at least 16 characters");
      }
      return t;
    }

    int integer(String key, int min, int max) {
      Object v = raw(key);
      long n;
      if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
        n = num.longValue();
      } else if (v instanceof String str && str.trim().matches("-?\\d{1,10}")) {
        n = Long.parseLong(str.trim());
      } else {
        throw new ConfigException(source(key), v, "an integer " + min + ".." + max);
      }
      if (n < min || n > max)
        throw new ConfigException(source(key), v, "an integer " + min + ".." + max);
      return (int) n;
    }

    double decimal(String key, double min, double max) {
      Object v = raw(key);
      double d;
      try {
        d =
            v instanceof Number num
                ? num.doubleValue()
                : Double.parseDouble(String.valueOf(v).trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(source(key), v, "a number " + fmt(min) + ".." + fmt(max));
      }
      if (!(d >= min && d <= max))
        throw new ConfigException(source(key), v, "a number " + fmt(min) + ".." + fmt(max));
      return d;
    }

    boolean bool(String key) {
      Object v = raw(key);
      if (v instanceof Boolean b) return b;
      if (v instanceof String str) {
        String t = str.trim().toLowerCase();
        if (t.equals("true")) return true;
        if (t.equals("false")) return false;
      }
      throw new ConfigException(source(key), v, "true or false");
    }

    ZoneId zone(String key) {
      String v = string(key, false);
      try {
        return ZoneId.of(v);
      } catch (DateTimeException e) {
        throw new ConfigException(source(key), v, "an IANA time zone such as UTC or Europe/Paris");
      }
    }

    List<String> list(String key) {
      Object v = raw(key);
      List<String> out = new ArrayList<>();
      if (v instanceof String str) {
        for (String part : str.split(",")) if (!part.isBlank()) out.add(part.trim());
      } else if (v instanceof JsonArray arr) {
        for (Object o : arr) {
          if (!(o instanceof String str) || str.isBlank())
            throw new ConfigException(source(key), v, "a list of strings");
          out.add(str.trim());
        }
      } else if (v != null) {
        throw new ConfigException(source(key), v, "a list of strings");
      }
      return List.copyOf(out);
    }

    /**
     * Exact origins ({@code https://host[:port]}); "*" is refused: it would let any site call with
     * a token.
     */
    List<String> origins(String key) {
      List<String> items = list(key);
      for (String o : items) {
        if (!o.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
          throw new ConfigException(
              source(key),
              o,
              "origins such as https://dashboard.example.com (scheme, host, optional port; no path, no *)");
        }
      }
      return items;
    }

    /**
     * A list of objects (or absent / null: empty); each stays raw JSON for the concern that owns
     * its shape.
     */
    List<JsonObject> objects(String key) {
      Object v = raw(key);
      if (v == null) return List.of();
      if (!(v instanceof JsonArray arr))
        throw new ConfigException(
            source(key), "<" + v.getClass().getSimpleName() + ">", "a list of objects");
      List<JsonObject> out = new ArrayList<>();
      for (int i = 0; i < arr.size(); i++) {
        // the value is not echoed: channel entries carry secrets
        if (!(arr.getValue(i) instanceof JsonObject o))
          throw new ConfigException(source(key) + "[" + i + "]", "<not an object>", "an object");
        out.add(o.copy());
      }
      return List.copyOf(out);
    }

    List<String> cidrs(String key) {
      List<String> items = list(key);
      for (String c : items) {
        boolean valid = c.matches("[0-9a-fA-F:.]+/\\d{1,3}");
        if (valid) {
          try {
            io.tracearr.analytics.geo.Cidr.parse(c);
          } catch (IllegalArgumentException e) {
            valid = false;
          }
        }
        if (!valid)
          throw new ConfigException(
              source(key), c, "CIDR networks such as 192.168.0.0/16 or fd00::/8");
      }
      return items;
    }

    private static String fmt(double d) {
      return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
  }
}
