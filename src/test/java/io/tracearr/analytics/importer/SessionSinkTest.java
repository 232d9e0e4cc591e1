package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.session.HistoryBatch;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink hands the registry batches that hold each session id once: its insert has no DISTINCT,
 * and a duplicate id in one statement would fail the whole import on the primary key.
 */
class SessionSinkTest {

  @TempDir static Path dir;

  /** the first session of the Tautulli fixture, read by the real reader */
  private static ImportedSession first;

  @BeforeAll
  static void readFixture() throws Exception {
    CollectingSink rows = new CollectingSink();
    new TautulliReader().read(ImportFixtures.copy(ImportFixtures.TAUTULLI, dir), rows);
    first = rows.byRowId("tautulli:session_history:1");
  }

  /** the fixture's first session under another source row id (so another session id) */
  private static ImportedSession row(String rowId) {
    ImportedSession s = first;
    return new ImportedSession(
        rowId,
        s.externalUserId(),
        s.userName(),
        s.externalItemId(),
        s.contentType(),
        s.title(),
        s.seriesTitle(),
        s.seasonNumber(),
        s.episodeNumber(),
        s.year(),
        s.mediaDurationSeconds(),
        s.deviceId(),
        s.deviceName(),
        s.clientName(),
        s.platform(),
        s.ipAddress(),
        s.startedAt(),
        s.endedAt(),
        s.playedSeconds(),
        s.positionSeconds(),
        s.transcoded(),
        s.resolution(),
        s.bandwidthKbps());
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
    sink.accept(row("tautulli:session_history:1"));
    sink.accept(row("tautulli:session_history:2"));
    sink.accept(row("tautulli:session_history:1"));
    // a batch later, the same session again: sent, and turned away by session_ids in the database
    for (int i = 3; i < SessionSink.BATCH + 2; i++)
      sink.accept(row("tautulli:session_history:" + i));
    sink.accept(row("tautulli:session_history:1"));
    sink.finish();

    UUID once = ImportIds.session(scope, "tautulli:session_history:1", first.externalItemId());
    assertEquals(2, sent.size());
    assertEquals(SessionSink.BATCH, sent.get(0).size());
    for (HistoryBatch b : sent) {
      List<UUID> ids = Arrays.asList(b.id).subList(0, b.size());
      assertEquals(ids.size(), ids.stream().distinct().count(), "a batch holds an id twice");
    }
    assertEquals(
        1,
        Arrays.asList(sent.get(0).id).subList(0, SessionSink.BATCH).stream()
            .filter(once::equals)
            .count());
    assertEquals(once, sent.get(1).id[sent.get(1).size() - 1]);
    // every row the file holds is read; the ones left out are neither skipped nor imported
    assertEquals(SessionSink.BATCH + 3, counters.rowsRead());
  }
}
