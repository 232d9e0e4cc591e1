package io.tracearr.analytics.config;

/**
 * Defaults derived from the JVM's maximum heap ({@code -Xmx}, {@code conf/jvm.options}): the bounds
 * of the in-memory queues on the heartbeat and dashboard paths scale with the heap they must fit
 * in, so that a node given 256 MB and one given 4 GB are both bounded by design (bench/run scenario
 * 7 died with OutOfMemoryError when these were fixed numbers or none). A key set to 0 in the config
 * takes the derived value; a positive value is used as given.
 */
public final class HeapSizing {

  private HeapSizing() {}

  /** The heap the bounds are derived from. */
  public static long maxHeapBytes() {
    long max = Runtime.getRuntime().maxMemory();
    return max == Long.MAX_VALUE ? 1L << 30 : max;
  }

  /**
   * {@code live.queued_bytes_max}: a quarter of the heap for bytes queued to all dashboards of the
   * node. Netty keeps them in direct buffers, whose own cap defaults to the maximum heap and is
   * shared with HTTP and the database client. 64 MB under the shipped 256 MB.
   */
  public static int liveQueuedBytes(long heap) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1L << 20, heap / 4));
  }

  /**
   * {@code live.snapshot_backlog_max}: deltas one dashboard holds while its snapshot loads. The
   * frames are shared by the sockets; what is per socket is the list of them. 1 000 at 256 MB.
   */
  public static int snapshotBacklog(long heap) {
    return (int) clamp(heap / (256 * 1024), 100, 10_000);
  }

  /**
   * {@code live.updated_waiting_max}: {@code session.updated} events waiting for the hub's budget
   * (the published JSON trees, ~2.5 kB each, shared by the hubs of the node): at most a tenth of
   * the heap. 10 000 at 256 MB.
   */
  public static int updatedWaiting(long heap) {
    return (int) clamp(heap / (25 * 1024), 1_000, 200_000);
  }

  /**
   * {@code sessions.updated_held_max}: sessions whose {@code session.updated} the registry holds
   * back (the flushed row, ~2 kB each, until its second is over): at most a tenth of the heap. 12
   * 800 at 256 MB; beyond, the update is dropped and the session's next heartbeat brings a newer
   * one.
   */
  public static int updatedHeld(long heap) {
    return (int) clamp(heap / (20 * 1024), 1_000, 1_000_000);
  }

  private static long clamp(long v, long min, long max) {
    return Math.max(min, Math.min(max, v));
  }
}
