package io.tracearr.analytics.session;

import io.tracearr.analytics.api.Problem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * The heartbeats a registry has acknowledged but not yet written: at most one coalesced entry per
 * session ({@link PendingHeartbeat}, held by its {@link OpenSession}), taken in batches by the
 * flush. The durability promise rests on three rules kept here:
 *
 * <ul>
 *   <li><b>Bounded.</b> At most {@code max} sessions wait, counting the batch being written (it
 *       comes back if the write fails); a heartbeat of a session that would exceed it is refused
 *       (503) before it is acknowledged. A session already waiting always coalesces: that costs no
 *       memory.
 *   <li><b>Nothing acknowledged is lost.</b> A failed batch is put back in front of what arrived
 *       meanwhile, the newer values folded into the older entry ({@link
 *       PendingHeartbeat#absorbLater}).
 *   <li><b>Oldest first.</b> Batches take sessions in the order their first waiting heartbeat
 *       arrived.
 * </ul>
 *
 * One owner (the registry's event loop); not thread-safe.
 */
final class HeartbeatBuffer {

  private final int max;
  private final Function<UUID, OpenSession> sessions;
  private final Set<UUID> waiting = new LinkedHashSet<>();

  /** sessions in the batch being written */
  private int inFlight;

  /**
   * @param max at most this many sessions with heartbeats waiting, the batch being written included
   * @param sessions the registry's open sessions by id (null when the session is no longer known)
   */
  HeartbeatBuffer(int max, Function<UUID, OpenSession> sessions) {
    this.max = max;
    this.sessions = sessions;
  }

  /**
   * Heartbeats acknowledged elsewhere and not yet here (the gateway's intake): the bound counts
   * them, so the two doors together never hold more than {@code max}.
   */
  private java.util.function.IntSupplier alsoWaiting = () -> 0;

  void countAlso(java.util.function.IntSupplier waitingElsewhere) {
    this.alsoWaiting = waitingElsewhere;
  }

  /**
   * Buffers one heartbeat received at {@code at}.
   *
   * @throws Problem 503 when the buffer is full and {@code os} has nothing waiting yet
   */
  void add(OpenSession os, SessionInput.Heartbeat hb, Instant at, SessionRepository.Geo geo) {
    add(os, hb, at, geo, true);
  }

  /**
   * As above; {@code mayRefuse} false for a heartbeat already acknowledged ({@link
   * HeartbeatIntake}, whose own bound keeps this overshoot bounded).
   */
  void add(
      OpenSession os,
      SessionInput.Heartbeat hb,
      Instant at,
      SessionRepository.Geo geo,
      boolean mayRefuse) {
    if (os.pending == null) {
      if (mayRefuse && waiting.size() + inFlight + alsoWaiting.getAsInt() >= max) {
        throw Problem.unavailable("Too many heartbeats waiting for the database; retry shortly");
      }
      os.pending = new PendingHeartbeat(os.id, at, os.status, os.bandwidthKbps);
      os.pending.apply(hb, geo);
      waiting.add(os.id);
    } else {
      os.pending.add(hb, at, geo);
    }
  }

  /**
   * The next batch to write, oldest first, at most {@code maxBatch} sessions; they count as in
   * flight until settled.
   */
  List<PendingHeartbeat> take(int maxBatch) {
    List<PendingHeartbeat> batch = new ArrayList<>(Math.min(waiting.size(), maxBatch));
    Iterator<UUID> it = waiting.iterator();
    while (it.hasNext() && batch.size() < maxBatch) {
      OpenSession os = sessions.apply(it.next());
      it.remove();
      if (os == null || os.pending == null) continue;
      batch.add(os.pending);
      os.pending = null;
    }
    inFlight = batch.size();
    return batch;
  }

  /** The batch taken last was written. */
  void written() {
    inFlight = 0;
  }

  /**
   * The batch taken last (or part of it) was not written: its entries go back in front of anything
   * buffered meanwhile, merged with it. Entries of sessions no longer known (ended meanwhile) are
   * dropped.
   */
  void requeue(List<PendingHeartbeat> batch) {
    inFlight = 0;
    List<UUID> newer = new ArrayList<>(waiting);
    waiting.clear();
    for (PendingHeartbeat older : batch) {
      OpenSession os = sessions.apply(older.sessionId);
      if (os == null) continue;
      if (os.pending != null && os.pending != older) older.absorbLater(os.pending);
      os.pending = older;
      waiting.add(older.sessionId);
    }
    waiting.addAll(newer);
  }

  /** The session ended: what it had waiting is no longer written by the flush. */
  void forget(UUID sessionId) {
    waiting.remove(sessionId);
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  /** Sessions with heartbeats waiting (not counting the batch in flight). */
  int size() {
    return waiting.size();
  }

  int inFlight() {
    return inFlight;
  }
}
