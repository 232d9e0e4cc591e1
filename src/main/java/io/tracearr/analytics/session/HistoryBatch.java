package io.tracearr.analytics.session;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * One batch of imported sessions on its way from the importer (which fills it on its reading
 * thread) to the registry ({@code sessions.import.rows}), as columns: the registry sends them to
 * PostgreSQL as arrays, one statement per batch. Handed over locally as the very object (no copy,
 * never serialised: the registry of the importer's own node takes it); the importer never touches a
 * batch after sending it. A batch holds each session id at most once (the registry's insert has no
 * DISTINCT; a repeated id would fail the import on the primary key, and nothing would be written).
 */
public final class HistoryBatch {

  public final UUID importId;
  public final UUID[] id, userId, contentId;
  public final String[] userExternalId,
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
  public final Integer[] season, episode, year, bandwidth;
  public final Double[] mediaDuration, duration, position;
  public final Boolean[] transcoded;
  public final OffsetDateTime[] startedAt, endedAt;
  private int size;

  public HistoryBatch(UUID importId, int capacity) {
    this.importId = importId;
    int n = capacity;
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

  /** The index of a new row, whose columns the caller fills. */
  public int add() {
    return size++;
  }

  public int size() {
    return size;
  }

  public int capacity() {
    return id.length;
  }

  // ---- local hand-over
  // ---------------------------------------------------------------------------------------

  static final String CODEC = "tracearr-history-batch";

  /** How the importer sends a batch; the reply may wait behind the batches before it. */
  public static DeliveryOptions options(long timeoutMs) {
    return new DeliveryOptions().setCodecName(CODEC).setLocalOnly(true).setSendTimeout(timeoutMs);
  }

  /** Once per event bus (the registry's start); a second registry on the same bus reuses it. */
  static synchronized void register(EventBus bus) {
    try {
      bus.registerCodec(new Codec());
    } catch (IllegalStateException alreadyRegistered) {
      // one codec per event bus is all it takes
    }
  }

  private static final class Codec implements MessageCodec<HistoryBatch, HistoryBatch> {
    @Override
    public void encodeToWire(Buffer buffer, HistoryBatch batch) {
      throw new UnsupportedOperationException("a history batch never leaves its node");
    }

    @Override
    public HistoryBatch decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("a history batch never leaves its node");
    }

    @Override
    public HistoryBatch transform(HistoryBatch batch) {
      return batch;
    }

    @Override
    public String name() {
      return CODEC;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }
}
