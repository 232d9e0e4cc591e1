package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.session.HistoryBatch;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The sink hands the registry batches that hold each session id once: its insert has no DISTINCT,
 * and a duplicate id in one statement would fail the whole import on the primary key.
 */
class SessionSinkTest {

  private static ImportedSession row(String rowId, String start) {
    Instant at = Instant.parse(start);
    return new ImportedSession(
        rowId,
        "1001",
        "Alice",
        "501",
        ContentType.MOVIE,
        "Inception",
        null,
        null,
        null,
        2010,
        8880.0,
        "tv",
        "Living Room TV",
        "Plex for Android (TV)",
        "Android",
        "203.0.113.10",
        at,
        at.plusSeconds(3300),
        3300,
        3300.0,
        false,
        "1080p",
        21000);
  }

  @Test
  void aSessionTheFileHoldsTwiceIsSentOncePerBatch() throws Exception {
    UUID scope = UUID.fromString("5e7e4f00-0000-0000-0000-00000000cafe");
    List<HistoryBatch> sent = new ArrayList<>();
    ImportCounters counters = new ImportCounters();
    SessionSink sink =
        new SessionSink(
            UUID.randomUUID(),
            scope,
            counters,
            b -> {
              sent.add(b);
              return Future.succeededFuture();
            },
            Instant.parse("2026-11-30T00:00:00Z"));
    sink.accept(row("tautulli:session_history:1", "2024-03-01T20:00:00Z"));
    sink.accept(row("tautulli:session_history:2", "2024-03-02T20:00:00Z"));
    sink.accept(row("tautulli:session_history:1", "2024-03-01T20:00:00Z"));
    // a batch later, the same session again: sent, and turned away by session_ids in the database
    for (int i = 3; i < SessionSink.BATCH + 2; i++)
      sink.accept(row("tautulli:session_history:" + i, "2024-03-03T20:00:00Z"));
    sink.accept(row("tautulli:session_history:1", "2024-03-01T20:00:00Z"));
    sink.finish();

    UUID first = ImportIds.session(scope, "tautulli:session_history:1", "501");
    assertEquals(2, sent.size());
    assertEquals(SessionSink.BATCH, sent.get(0).size());
    for (HistoryBatch b : sent) {
      List<UUID> ids = Arrays.asList(b.id).subList(0, b.size());
      assertEquals(ids.size(), ids.stream().distinct().count(), "a batch holds an id twice");
    }
    assertEquals(
        1,
        Arrays.asList(sent.get(0).id).subList(0, SessionSink.BATCH).stream()
            .filter(first::equals)
            .count());
    assertEquals(first, sent.get(1).id[sent.get(1).size() - 1]);
    // every row the file holds is read; the ones left out are neither skipped nor imported
    assertEquals(SessionSink.BATCH + 3, counters.rowsRead());
  }
}
