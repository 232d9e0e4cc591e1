package io.tracearr.analytics.importer;

import io.tracearr.analytics.geo.IpAddresses;
import io.tracearr.analytics.session.DeviceKeys;
import io.tracearr.analytics.session.HistoryBatch;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * The reader's sink during an import, on its reading thread: turns each row into our ids and
 * columns, collects {@link #BATCH} of them, and hands each batch to the registry, which inserts it
 * in the import's open transaction ({@code sessions.import.rows}, one statement per batch). At most
 * {@link #IN_FLIGHT} batches are on their way at once, pipelined on the transaction's connection,
 * so the read of the next batch overlaps the database's work on the previous ones; the reader waits
 * for a slot, so memory stays flat however large the file and however slow the database.
 */
final class SessionSink implements RowSink {

  static final int BATCH = 4_000;
  static final int IN_FLIGHT = 3;

  /**
   * what playback_sessions stores when the source has no address: the unspecified address, never a
   * client's
   */
  static final String UNKNOWN_IP = "0.0.0.0";

  private static final String UNKNOWN = "unknown";

  private final UUID importId;
  private final UUID idScope;
  private final ImportCounters counters;
  private final Function<HistoryBatch, Future<Void>> write;
  private final Instant latestPossible;
  private final Semaphore slots = new Semaphore(IN_FLIGHT);

  /** the session ids of the batch being filled */
  private final Set<UUID> batchIds = new HashSet<>(BATCH * 2);

  private volatile Throwable writeFailure;
  private volatile boolean cancelled;
  private HistoryBatch batch;
  private long written;

  /**
   * @param idScope the namespace ids are derived under: the server id, or the source's stand-in
   * @param now rows that end later than a day after this are impossible (clocks of another century)
   */
  SessionSink(
      UUID importId,
      UUID idScope,
      ImportCounters counters,
      Function<HistoryBatch, Future<Void>> write,
      Instant now) {
    this.importId = importId;
    this.idScope = idScope;
    this.counters = counters;
    this.write = write;
    this.latestPossible = now.plusSeconds(86_400);
    this.batch = new HistoryBatch(importId, BATCH);
  }

  /** The next row the reader offers fails with a {@link CancellationException}. */
  void cancel() {
    cancelled = true;
  }

  @Override
  public void accept(ImportedSession s) {
    checkGoing();
    if (s.endedAt().isAfter(latestPossible)) {
      counters.skipped(SkipReason.IMPOSSIBLE_TIMES);
      return;
    }
    counters.read();
    UUID id = ImportIds.session(idScope, s.sourceRowId(), s.externalItemId());
    // each id once per batch, so the registry's insert needs no DISTINCT (a sort per batch); a file
    // that holds a session twice keeps its first copy, and a copy in a later batch is turned away
    // by session_ids, as a re-import's is
    if (!batchIds.add(id)) return;
    add(batch, s, id);
    if (batch.size() == BATCH) send();
  }

  @Override
  public void skip(SkipReason reason, String sourceRowId) {
    checkGoing();
    counters.skipped(reason);
  }

  @Override
  public void position(String unit, long done, long total) {
    counters.position(unit, done, total);
  }

  /**
   * After the reader returned: writes the last batch and waits for every batch in flight. Returns
   * rows written (inserted or found present).
   */
  long finish() throws InterruptedException {
    checkGoing();
    if (batch.size() > 0) send();
    slots.acquire(IN_FLIGHT);
    slots.release(IN_FLIGHT);
    if (writeFailure != null) throw new WriteFailed(writeFailure);
    return written;
  }

  /**
   * Waits for the batches in flight, whatever happened: their answers come before the import's end
   * is sent, so nothing of this import is still on its way when it is rolled back.
   */
  void drain() {
    slots.acquireUninterruptibly(IN_FLIGHT);
    slots.release(IN_FLIGHT);
  }

  private void checkGoing() {
    if (cancelled) throw new CancellationException("cancelled");
    if (writeFailure != null) throw new WriteFailed(writeFailure);
  }

  private void send() {
    HistoryBatch full = batch;
    written += full.size();
    batch = new HistoryBatch(importId, BATCH);
    batchIds.clear();
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted");
    }
    write
        .apply(full)
        .onComplete(
            ar -> {
              if (ar.failed()) writeFailure = ar.cause();
              slots.release();
            });
  }

  /** A batch's write failed: the import fails with the database's reason. */
  static final class WriteFailed extends RuntimeException {
    WriteFailed(Throwable cause) {
      super("writing the sessions failed: " + cause.getMessage(), cause);
    }
  }

  // ---- one row into the batch's columns
  // ---------------------------------------------------------------------------------

  private void add(HistoryBatch b, ImportedSession s, UUID id) {
    int i = b.add();
    UUID scope = idScope;
    b.id[i] = id;
    b.userId[i] = ImportIds.user(scope, s.externalUserId());
    b.contentId[i] = ImportIds.content(scope, s.externalItemId());
    b.userExternalId[i] = s.externalUserId();
    b.userName[i] = clip(s.userName(), 200);
    b.contentExternalId[i] = s.externalItemId();
    b.contentType[i] = s.contentType().wireName();
    b.contentTitle[i] = clip(s.title(), 300);
    b.seriesTitle[i] = clip(s.seriesTitle(), 300);
    b.season[i] = nonNegative(s.seasonNumber());
    b.episode[i] = nonNegative(s.episodeNumber());
    b.year[i] = s.year() != null && s.year() >= 1800 && s.year() <= 3000 ? s.year() : null;
    b.mediaDuration[i] = s.mediaDurationSeconds();
    b.clientName[i] = orUnknown(s.clientName());
    b.deviceName[i] = orUnknown(s.deviceName());
    b.deviceId[i] = s.deviceId();
    // the registry's own attribution, so an imported device and the live one are one key
    b.deviceKey[i] = DeviceKeys.of(s.deviceId(), s.deviceName(), s.clientName());
    b.ip[i] = address(s.ipAddress());
    b.transcoded[i] = s.transcoded();
    b.resolution[i] = s.resolution();
    b.bandwidth[i] = s.bandwidthKbps();
    b.startedAt[i] = s.startedAt().atOffset(ZoneOffset.UTC);
    b.endedAt[i] = s.endedAt().atOffset(ZoneOffset.UTC);
    b.duration[i] = (double) s.playedSeconds();
    b.position[i] = s.positionSeconds();
  }

  private static String clip(String s, int max) {
    if (s == null || s.length() <= max) return s;
    // never cut a surrogate pair in half
    int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, end);
  }

  private static Integer nonNegative(Integer n) {
    return n == null || n < 0 ? null : n;
  }

  private static String orUnknown(String s) {
    return s == null || s.isBlank() ? UNKNOWN : s.strip();
  }

  /**
   * The address in PostgreSQL's inet spelling, or the unspecified address when the source has none
   * (or junk).
   */
  static String address(String text) {
    if (text == null || text.isBlank()) return UNKNOWN_IP;
    return IpAddresses.parseLiteral(text.strip())
        .map(IpAddresses::unmap)
        .map(InetAddress::getHostAddress)
        .map(a -> a.indexOf('%') >= 0 ? a.substring(0, a.indexOf('%')) : a)
        .orElse(UNKNOWN_IP);
  }
}
