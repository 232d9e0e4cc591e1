package io.tracearr.analytics.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, F2: a PostgreSQL that is frozen (its processes stopped with SIGSTOP, not shut down:
 * connections stay open and statements just never answer). Starts and ends answer within the
 * configured bound with a 503 that says the truth — outcome unknown, retry with the same id — and
 * an end's time is when it was reported, not when the database resumed and committed it.
 */
class FrozenDatabaseTest {

  @Test
  void startsAndEndsAnswerInTimeWithOutcomeUnknownAndEndTimesAreWhenTheyWereReported()
      throws Exception {
    Path dir = Files.createTempDirectory("frozen-pg");
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("postgres"));
        TestNode node =
            TestNode.start(
                db.url(),
                new JsonObject()
                    .put(
                        "sessions",
                        new JsonObject()
                            .put("command_timeout_ms", 2000)
                            .put("timeout_seconds", 3600)))) {
      JsonObject first =
          SessionBodies.start(UUID.randomUUID()).put("id", UUID.randomUUID().toString());
      assertEquals(
          201, node.post("/api/v1/analytics/sessions", TestNode.INGEST_KEY, first).statusCode());
      String id = first.getString("id");

      List<ProcessHandle> frozen = freeze(db.dataDirectory());
      Instant endReportedAt;
      JsonObject second =
          SessionBodies.start(UUID.randomUUID()).put("id", UUID.randomUUID().toString());
      try {
        long t0 = System.nanoTime();
        var start = node.post("/api/v1/analytics/sessions", TestNode.INGEST_KEY, second);
        long startMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertEquals(503, start.statusCode(), start.bodyAsString());
        assertEquals(
            "urn:tracearr:problem:outcome-unknown", start.bodyAsJsonObject().getString("type"));
        assertTrue(start.bodyAsJsonObject().getString("detail").contains("Retry with the same id"));
        assertTrue(start.getHeader("Retry-After") != null);
        assertTrue(startMs < 4_000, "the start waited " + startMs + " ms");

        endReportedAt = Instant.now();
        t0 = System.nanoTime();
        var end = node.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null);
        long endMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertEquals(503, end.statusCode(), end.bodyAsString());
        assertEquals(
            "urn:tracearr:problem:outcome-unknown", end.bodyAsJsonObject().getString("type"));
        assertTrue(endMs < 4_000, "the end waited " + endMs + " ms");
      } finally {
        resume(frozen);
      }
      Instant resumedAt = Instant.now();

      // the retries with the same ids give the real outcomes
      int retriedStart =
          node.post("/api/v1/analytics/sessions", TestNode.INGEST_KEY, second).statusCode();
      assertTrue(
          retriedStart == 201 || retriedStart == 200, "retried start answered " + retriedStart);
      assertEquals(
          204,
          node.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null).statusCode());
      Instant endedAt =
          Instant.parse(
              node.get("/api/v1/analytics/sessions/" + id, TestNode.ADMIN_KEY)
                  .bodyAsJsonObject()
                  .getString("ended_at"));
      assertTrue(
          Duration.between(endReportedAt, endedAt).abs().toMillis() < 1_500,
          "ended_at "
              + endedAt
              + " is not the time the end was reported ("
              + endReportedAt
              + "); resumed at "
              + resumedAt);
    }
  }

  /**
   * SIGSTOP the postmaster named by postmaster.pid and every process under it (backends, background
   * workers).
   */
  private static List<ProcessHandle> freeze(Path dataDirectory) throws Exception {
    ProcessHandle postmaster = OrphanedServer.runningServer(dataDirectory).orElseThrow();
    List<ProcessHandle> all = new ArrayList<>();
    all.add(postmaster);
    postmaster.descendants().forEach(all::add);
    signal("-STOP", all);
    // a backend forked between the listing and the postmaster's stop (the pool opening a connection
    // under load) would still answer: stop the latecomers until none is left running
    while (true) {
      List<ProcessHandle> late = postmaster.descendants().filter(p -> !all.contains(p)).toList();
      if (late.isEmpty()) return all;
      all.addAll(late);
      signal("-STOP", late);
    }
  }

  private static void resume(List<ProcessHandle> processes) throws Exception {
    signal("-CONT", processes);
  }

  private static void signal(String signal, List<ProcessHandle> processes) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("kill", signal));
    for (ProcessHandle p : processes) cmd.add(Long.toString(p.pid()));
    assertEquals(0, new ProcessBuilder(cmd).inheritIO().start().waitFor());
  }
}
