package io.tracearr.analytics.bus;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.BiConsumer;

/**
 * At most {@code perSecond} events leave per second (in ten slices of 100 ms, refilled by the
 * owner's timer calling {@link #tick}); over the budget the newest event of each key waits, in the
 * order its key first waited, and leaves in a later slice. At most {@code maxWaiting} keys wait:
 * past that the oldest waiting event is dropped (counted in {@link #dropped}), so what is held is
 * bounded whatever the load. Pure and single-threaded like {@link EventPacer}: one owner (an event
 * loop).
 */
public final class RateBudget<K, V> {

  private final int perSlice;
  private final int maxWaiting;
  private final BiConsumer<K, V> emit;
  private final LinkedHashMap<K, V> waiting = new LinkedHashMap<>();
  private int leftInSlice;
  private long dropped;

  /** {@code perSecond} 0 = no limit. */
  public RateBudget(int perSecond, int maxWaiting, BiConsumer<K, V> emit) {
    this.perSlice = perSecond <= 0 ? Integer.MAX_VALUE : Math.max(1, perSecond / 10);
    this.maxWaiting = Math.max(1, maxWaiting);
    this.emit = emit;
    this.leftInSlice = perSlice;
  }

  /**
   * Emits the event now if the slice has budget left and nothing of its key waits; else it waits.
   */
  public void offer(K key, V event) {
    if (waiting.containsKey(key)) {
      waiting.put(key, event);
      return;
    }
    if (leftInSlice > 0 && waiting.isEmpty()) {
      if (perSlice != Integer.MAX_VALUE) leftInSlice--;
      emit.accept(key, event);
      return;
    }
    if (waiting.size() >= maxWaiting) {
      Iterator<K> eldest = waiting.keySet().iterator();
      eldest.next();
      eldest.remove();
      dropped++;
    }
    waiting.put(key, event);
  }

  /** A new slice (every 100 ms): the oldest waiting events leave first. */
  public void tick() {
    leftInSlice = perSlice;
    var it = waiting.entrySet().iterator();
    while (leftInSlice > 0 && it.hasNext()) {
      var e = it.next();
      it.remove();
      if (perSlice != Integer.MAX_VALUE) leftInSlice--;
      emit.accept(e.getKey(), e.getValue());
    }
  }

  /** The key's stream ended: its waiting event must not follow. */
  public void forget(K key) {
    waiting.remove(key);
  }

  public int waiting() {
    return waiting.size();
  }

  public long dropped() {
    return dropped;
  }
}
