package io.tracearr.analytics.testing;

import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL per test JVM, and a fresh database per caller made from a migrated template
 * ({@code CREATE DATABASE ... TEMPLATE}), so test classes never see each other's rows.
 */
public final class TestDatabase {

  private static final String TEMPLATE = "tracearr_template";
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestDatabase() {}

  public static synchronized EmbeddedPostgres server() {
    if (postgres == null) {
      try {
        Path dir = Files.createTempDirectory("tracearr-test-pg");
        postgres =
            EmbeddedPostgres.builder()
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "400")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .start();
        try (Connection c = admin();
            Statement st = c.createStatement()) {
          st.execute("CREATE DATABASE " + TEMPLATE);
        }
        Migrations.migrate(url(TEMPLATE));
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      try {
                        postgres.close();
                        try (var files = Files.walk(dir)) {
                          files
                              .sorted(java.util.Comparator.reverseOrder())
                              .forEach(p -> p.toFile().delete());
                        }
                      } catch (Exception ignored) {
                        // the JVM is going anyway
                      }
                    }));
      } catch (Exception e) {
        throw new IllegalStateException("embedded PostgreSQL for tests failed to start", e);
      }
    }
    return postgres;
  }

  /** A new, migrated, empty database. */
  public static DatabaseUrl fresh() {
    server();
    String name = "t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    try (Connection c = admin();
        Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return url(name);
  }

  public static DatabaseUrl url(String database) {
    return new DatabaseUrl("127.0.0.1", server().getPort(), database, "postgres", "postgres");
  }

  public static Connection connect(DatabaseUrl url) throws Exception {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }

  private static Connection admin() throws Exception {
    return DriverManager.getConnection(postgres.getJdbcUrl("postgres", "postgres"));
  }
}
