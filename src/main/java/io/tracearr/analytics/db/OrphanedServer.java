package io.tracearr.analytics.db;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server still running on our data directory when the service starts. After a {@code
 * kill -9} of the service, its embedded server lives on (it is its own process) and keeps the
 * directory: starting another would wait for it and fail after a minute. Two cases are told apart
 * by the lock the embedded library keeps on {@code epg-lock} while its JVM lives:
 *
 * <ul>
 *   <li>the lock is free: the service that started the server is gone, the server is an orphan —
 *       stop it (by its PID from {@code postmaster.pid}: a fast shutdown, which PostgreSQL recovers
 *       from like a crash, losing nothing committed) and go on;
 *   <li>the lock is held: another service runs on this directory — fail at once, naming its
 *       server's PID and what to do, rather than stopping a live service's database.
 * </ul>
 */
final class OrphanedServer {

  private static final Logger log = LoggerFactory.getLogger(OrphanedServer.class);

  private OrphanedServer() {}

  static void stopIfAny(Path dataDirectory, Duration wait) throws IOException {
    Optional<ProcessHandle> server = runningServer(dataDirectory);
    if (server.isEmpty()) return;
    long pid = server.get().pid();
    if (lockHeldElsewhere(dataDirectory)) {
      throw new IOException(
          "PostgreSQL (PID "
              + pid
              + ") is running on "
              + dataDirectory.toAbsolutePath()
              + " for another tracearr-analytics process that is still alive: stop that process first, or give this one"
              + " another data_dir (ANALYTICS_DATA_DIR)");
    }
    log.warn(
        "a PostgreSQL server (PID {}) left running on {} by a service that is gone: stopping it",
        pid,
        dataDirectory.toAbsolutePath());
    // SIGINT = PostgreSQL's fast shutdown: ends its sessions, writes a checkpoint, exits
    new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
    long deadline = System.nanoTime() + wait.toNanos();
    while (server.get().isAlive() && System.nanoTime() < deadline) {
      try {
        server.get().onExit().get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // still shutting down
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(
            "interrupted while waiting for PostgreSQL (PID " + pid + ") to stop", e);
      } catch (java.util.concurrent.ExecutionException e) {
        break;
      }
    }
    if (server.get().isAlive()) {
      throw new IOException(
          "PostgreSQL (PID "
              + pid
              + ") left running on "
              + dataDirectory.toAbsolutePath()
              + " did not stop within "
              + wait.toSeconds()
              + " s; stop it (kill "
              + pid
              + ") and start again");
    }
    log.info("the orphaned PostgreSQL server (PID {}) stopped", pid);
  }

  /**
   * The postmaster named by {@code postmaster.pid}, if that process is alive and is a PostgreSQL
   * server.
   */
  static Optional<ProcessHandle> runningServer(Path dataDirectory) throws IOException {
    Path pidFile = dataDirectory.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return Optional.empty();
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) return Optional.empty();
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> isPostgres(p, dataDirectory));
  }

  /**
   * A recycled PID must not be mistaken for our server: the process must be postgres, on this
   * directory.
   */
  private static boolean isPostgres(ProcessHandle p, Path dataDirectory) {
    Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    try {
      String cmd =
          new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).replace('\0', ' ');
      return cmd.contains("postgres")
          && cmd.contains(dataDirectory.toAbsolutePath().normalize().toString());
    } catch (IOException e) {
      // no /proc (not Linux): trust the command name alone
      return p.info().command().map(c -> c.contains("postgres")).orElse(false);
    }
  }

  /**
   * The embedded library locks {@code epg-lock} for as long as the JVM that started the server
   * lives.
   */
  private static boolean lockHeldElsewhere(Path dataDirectory) throws IOException {
    Path lockFile = dataDirectory.resolve("epg-lock");
    if (!Files.exists(lockFile)) return false;
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) return true;
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    }
  }
}
