package io.tracearr.analytics.detect;

import io.tracearr.analytics.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code rule_settings}: the rules' settings changed through the API. Read by anyone ({@link
 * #book}); written only by the detector ({@link #put}, package-private).
 */
public final class RuleSettingsStore {

  private static final String ALL = "SELECT rule, settings FROM rule_settings";
  private static final String PUT =
      """
      INSERT INTO rule_settings (rule, settings, updated_at, updated_by) VALUES ($1, $2::jsonb, now(), $3)
      ON CONFLICT (rule) DO UPDATE SET settings = EXCLUDED.settings, updated_at = now(), updated_by = EXCLUDED.updated_by""";

  private final Pool pool;
  private final AppConfig config;

  public RuleSettingsStore(Pool pool, AppConfig config) {
    this.pool = pool;
    this.config = config;
  }

  /** The effective settings now: the config file's with the stored changes on top. */
  public Future<RuleBook> book() {
    return pool.query(ALL)
        .execute()
        .map(
            rows -> {
              Map<String, JsonObject> stored = new HashMap<>();
              for (Row r : rows) {
                Object v = r.getValue("settings");
                stored.put(
                    r.getString("rule"),
                    v instanceof JsonObject j ? j : new JsonObject(String.valueOf(v)));
              }
              return RuleBook.fromConfig(config).withStored(stored);
            });
  }

  Future<Void> put(RuleBook.Setting setting, String by) {
    return pool.preparedQuery(PUT)
        .execute(Tuple.of(setting.rule(), setting.toJson().encode(), by))
        .mapEmpty();
  }
}
