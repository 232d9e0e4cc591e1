package io.tracearr.analytics.db;

import io.tracearr.analytics.config.DatabaseUrl;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned SQL migrations from {@code db/migration}, applied at boot (blocking, before any
 * verticle).
 */
public final class Migrations {

  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static void migrate(DatabaseUrl url) {
    // Flyway takes a PostgreSQL advisory lock, so nodes booting together migrate once.
    MigrateResult result =
        Flyway.configure()
            .dataSource(url.jdbcUrl(), url.user(), url.password())
            .locations("classpath:db/migration")
            .connectRetries(10)
            .load()
            .migrate();
    log.info(
        "database schema at version {} ({} migration(s) applied)",
        result.targetSchemaVersion == null
            ? result.initialSchemaVersion
            : result.targetSchemaVersion,
        result.migrationsExecuted);
  }
}
