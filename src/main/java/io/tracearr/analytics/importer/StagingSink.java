package io.tracearr.analytics.importer;

import io.tracearr.analytics.geo.IpAddresses;
import io.tracearr.analytics.session.DeviceKeys;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.net.InetAddress;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * The reader's sink during an import, on the worker thread: turns each row into our ids and
 * columns, collects {@link #BATCH} of them, and writes each batch to import_staging with one
 * statement. At most {@link #IN_FLIGHT} batches are on their way at once; the reader waits for a
 * slot, so memory stays flat however large the file and however slow the database.
 */
final class StagingSink implements RowSink {

  static final int BATCH = 2_000;
  static final int IN_FLIGHT = 2;

  /**
   * what playback_sessions stores when the source has no address: the unspecified address, never a
   * client's
   */
  static final String UNKNOWN_IP = "0.0.0.0";

  private static final String UNKNOWN = "unknown";

  private final UUID importId;
  private final UUID serverId;
  private final UUID idScope;
  private final ImportCounters counters;
  private final Function<Tuple, Future<Void>> stage;
  private final Instant latestPossible;
  private final Semaphore slots = new Semaphore(IN_FLIGHT);
  private volatile Throwable stagingFailure;
  private volatile boolean cancelled;
  private Columns batch = new Columns(BATCH);
  private long staged;

  /**
   * @param serverId the import's server_id (null: none given), stored with every row
   * @param idScope the namespace ids are derived under: the server id, or the source's stand-in
   * @param now rows that end later than a day after this are impossible (clocks of another century)
   */
  StagingSink(
      UUID importId,
      UUID serverId,
      UUID idScope,
      ImportCounters counters,
      Function<Tuple, Future<Void>> stage,
      Instant now) {
    this.importId = importId;
    this.serverId = serverId;
    this.idScope = idScope;
    this.counters = counters;
    this.stage = stage;
    this.latestPossible = now.plusSeconds(86_400);
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
    batch.add(this, s);
    counters.read();
    if (batch.size == BATCH) send();
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
   * rows staged.
   */
  long finish() throws InterruptedException {
    checkGoing();
    if (batch.size > 0) send();
    slots.acquire(IN_FLIGHT);
    slots.release(IN_FLIGHT);
    if (stagingFailure != null) throw new StagingFailed(stagingFailure);
    return staged;
  }

  /**
   * Waits for the batches in flight, whatever happened: after a failed read they must have landed
   * before the staging rows are deleted, or one could arrive after the delete.
   */
  void drain() {
    slots.acquireUninterruptibly(IN_FLIGHT);
    slots.release(IN_FLIGHT);
  }

  private void checkGoing() {
    if (cancelled) throw new CancellationException("cancelled");
    if (stagingFailure != null) throw new StagingFailed(stagingFailure);
  }

  private void send() {
    Tuple t = batch.tuple(importId, serverId);
    staged += batch.size;
    batch = new Columns(BATCH);
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted");
    }
    stage
        .apply(t)
        .onComplete(
            ar -> {
              if (ar.failed()) stagingFailure = ar.cause();
              slots.release();
            });
  }

  /** A staging write failed: the import fails with the database's reason. */
  static final class StagingFailed extends RuntimeException {
    StagingFailed(Throwable cause) {
      super("writing the staged rows failed: " + cause.getMessage(), cause);
    }
  }

  // ---- one batch as columns
  // ---------------------------------------------------------------------------------

  private static final class Columns {
    final UUID[] id, userId, contentId;
    final String[] userExternalId,
        userName,
        contentExternalId,
        contentType,
        contentTitle,
        seriesTitle,
        clientName,
        deviceName,
        deviceId,
        deviceKey,
        ip,
        resolution;
    final Integer[] season, episode, year, bandwidth;
    final Double[] mediaDuration, duration, position;
    final Boolean[] transcoded;
    final OffsetDateTime[] startedAt, endedAt;
    int size;

    Columns(int n) {
      id = new UUID[n];
      userId = new UUID[n];
      contentId = new UUID[n];
      userExternalId = new String[n];
      userName = new String[n];
      contentExternalId = new String[n];
      contentType = new String[n];
      contentTitle = new String[n];
      seriesTitle = new String[n];
      clientName = new String[n];
      deviceName = new String[n];
      deviceId = new String[n];
      deviceKey = new String[n];
      ip = new String[n];
      resolution = new String[n];
      season = new Integer[n];
      episode = new Integer[n];
      year = new Integer[n];
      bandwidth = new Integer[n];
      mediaDuration = new Double[n];
      duration = new Double[n];
      position = new Double[n];
      transcoded = new Boolean[n];
      startedAt = new OffsetDateTime[n];
      endedAt = new OffsetDateTime[n];
    }

    void add(StagingSink sink, ImportedSession s) {
      int i = size++;
      UUID scope = sink.idScope;
      id[i] = ImportIds.session(scope, s.sourceRowId(), s.externalItemId());
      userId[i] = ImportIds.user(scope, s.externalUserId());
      contentId[i] = ImportIds.content(scope, s.externalItemId());
      userExternalId[i] = s.externalUserId();
      userName[i] = clip(s.userName(), 200);
      contentExternalId[i] = s.externalItemId();
      contentType[i] = s.contentType().wireName();
      contentTitle[i] = clip(s.title(), 300);
      seriesTitle[i] = clip(s.seriesTitle(), 300);
      season[i] = nonNegative(s.seasonNumber());
      episode[i] = nonNegative(s.episodeNumber());
      year[i] = s.year() != null && s.year() >= 1800 && s.year() <= 3000 ? s.year() : null;
      mediaDuration[i] = s.mediaDurationSeconds();
      clientName[i] = orUnknown(s.clientName());
      deviceName[i] = orUnknown(s.deviceName());
      deviceId[i] = s.deviceId();
      // the registry's own attribution, so an imported device and the live one are one key
      deviceKey[i] = DeviceKeys.of(s.deviceId(), s.deviceName(), s.clientName());
      ip[i] = address(s.ipAddress());
      transcoded[i] = s.transcoded();
      resolution[i] = s.resolution();
      bandwidth[i] = s.bandwidthKbps();
      startedAt[i] = s.startedAt().atOffset(ZoneOffset.UTC);
      endedAt[i] = s.endedAt().atOffset(ZoneOffset.UTC);
      duration[i] = (double) s.playedSeconds();
      position[i] = s.positionSeconds();
    }

    Tuple tuple(UUID importId, UUID serverId) {
      int n = size;
      List<Object> values = new ArrayList<>(27);
      values.add(importId);
      values.add(serverId);
      values.add(Arrays.copyOf(id, n));
      values.add(Arrays.copyOf(userId, n));
      values.add(Arrays.copyOf(userExternalId, n));
      values.add(Arrays.copyOf(userName, n));
      values.add(Arrays.copyOf(contentId, n));
      values.add(Arrays.copyOf(contentExternalId, n));
      values.add(Arrays.copyOf(contentType, n));
      values.add(Arrays.copyOf(contentTitle, n));
      values.add(Arrays.copyOf(seriesTitle, n));
      values.add(Arrays.copyOf(season, n));
      values.add(Arrays.copyOf(episode, n));
      values.add(Arrays.copyOf(year, n));
      values.add(Arrays.copyOf(mediaDuration, n));
      values.add(Arrays.copyOf(clientName, n));
      values.add(Arrays.copyOf(deviceName, n));
      values.add(Arrays.copyOf(deviceId, n));
      values.add(Arrays.copyOf(deviceKey, n));
      values.add(Arrays.copyOf(ip, n));
      values.add(Arrays.copyOf(transcoded, n));
      values.add(Arrays.copyOf(resolution, n));
      values.add(Arrays.copyOf(bandwidth, n));
      values.add(Arrays.copyOf(startedAt, n));
      values.add(Arrays.copyOf(endedAt, n));
      values.add(Arrays.copyOf(duration, n));
      values.add(Arrays.copyOf(position, n));
      return Tuple.from(values);
    }
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
