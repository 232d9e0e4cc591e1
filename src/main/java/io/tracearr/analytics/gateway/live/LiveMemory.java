package io.tracearr.analytics.gateway.live;

import io.vertx.core.Vertx;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's memory budget for dashboards, shared by its gateway instances ({@code http.instances}
 * hubs on as many event loops): the bytes queued to all dashboard sockets, and the one snapshot of
 * every open session being built at a time.
 *
 * <p>Why node-wide: each socket's own queue bound ({@code live.write_queue_max_bytes}) times a
 * thousand dashboards is more than the heap, and each hub building its own 32 MB snapshot (50 000
 * sessions) with its copies at the same time was more than the 256 MB heap too (bench/run scenario
 * 7 died of OutOfMemoryError). Here the sum is bounded by {@code live.queued_bytes_max}: once it is
 * reached, the sockets holding more than their share ({@code queued_bytes_max / connections}) count
 * as full (their updates are dropped, and they are closed if it lasts {@code
 * live.slow_reader_close_seconds}), and a snapshot waits until it fits. Counted bytes are those
 * handed to the channel and not yet written to the kernel, per socket (bytes shared by sockets
 * count once per socket: an upper bound).
 */
public final class LiveMemory {

  private static final Map<Vertx, LiveMemory> PER_NODE = new WeakHashMap<>();

  /** The node's budget; every hub of the node gets the same one. */
  public static synchronized LiveMemory forNode(
      Vertx nodeVertx, long queuedBytesMax, AtomicLong gauge) {
    return PER_NODE.computeIfAbsent(nodeVertx, k -> new LiveMemory(queuedBytesMax, gauge));
  }

  private final long queuedMax;
  private final AtomicLong queued;
  private final AtomicLong peak = new AtomicLong();
  private final AtomicBoolean fullSnapshotLoading = new AtomicBoolean();

  /** {@code gauge} is the counter itself ({@code analytics_live_queued_bytes}). */
  LiveMemory(long queuedBytesMax, AtomicLong gauge) {
    this.queuedMax = queuedBytesMax;
    this.queued = gauge;
  }

  /** Bytes handed to dashboard channels, not yet written out. */
  public long queued() {
    return queued.get();
  }

  /** The most {@link #queued} has been since the node started (tests, metrics). */
  public long peakQueued() {
    return peak.get();
  }

  public long budget() {
    return queuedMax;
  }

  void added(long bytes) {
    long now = queued.addAndGet(bytes);
    peak.accumulateAndGet(now, Math::max);
  }

  void written(long bytes) {
    queued.addAndGet(-bytes);
  }

  /**
   * Whether a socket that has {@code socketBytes} queued (with what it is about to add) is over its
   * share: only once the node's budget is used up, so that a lone slow reader may still use the
   * socket's own bound.
   */
  boolean overShare(long socketBytes, long connections) {
    return queued.get() >= queuedMax && socketBytes >= queuedMax / Math.max(1, connections);
  }

  /**
   * Whether {@code bytes} more may be queued now: within the budget, or nothing queued at all (a
   * snapshot bigger than the whole budget still goes out, alone).
   */
  public boolean fits(long bytes) {
    long q = queued.get();
    return q == 0 || q + bytes <= queuedMax;
  }

  /**
   * One snapshot of every open session is built at a time on a node: it is the largest object the
   * node makes (32 MB at 50 000 sessions, and a few times that while it is built).
   */
  public boolean tryStartFullSnapshot() {
    return fullSnapshotLoading.compareAndSet(false, true);
  }

  public void fullSnapshotDone() {
    fullSnapshotLoading.set(false);
  }
}
