package io.tracearr.analytics.bus;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.BiConsumer;

/**
 * At most {@code perSecond} events leave per second (in ten slices of 100 ms, refilled by the
 * owner's timer calling {@link #tick}); over the budget the newest event of each key waits, in the
 * order its key first waited, and leaves in a later slice. At most {@code maxWaiting} keys wait:
 * past that the oldest waiting event is dropped (counted in {@link #dropped}), so what is held is
 * bounded whatever the load. An urgent lane ({@link #offerUrgent}) lets a status change pass every
 * waiting ordinary event. Pure and single-threaded like {@link EventPacer}: one owner (an event
 * loop). The session registry budgets what it publishes with it, each live hub what it sends to its
 * dashboards (gateway.live.UpdateThrottle).
 */
public final class RateBudget<K, V> {

  private final int perSlice;
  private final int maxWaiting;
  private final BiConsumer<K, V> emit;
  private final Runnable onDropped;
  private final LinkedHashMap<K, V> waiting = new LinkedHashMap<>();

  /** urgent events over the budget: they leave before every waiting ordinary one */
  private final LinkedHashMap<K, V> urgent = new LinkedHashMap<>();

  private int leftInSlice;
  private long dropped;

  /** {@code perSecond} 0 = no limit. */
  public RateBudget(int perSecond, int maxWaiting, BiConsumer<K, V> emit) {
    this(perSecond, maxWaiting, emit, () -> {});
  }

  /** {@code onDropped} runs for each event dropped past {@code maxWaiting} (a metric). */
  public RateBudget(int perSecond, int maxWaiting, BiConsumer<K, V> emit, Runnable onDropped) {
    this.perSlice = perSecond <= 0 ? Integer.MAX_VALUE : Math.max(1, perSecond / 10);
    this.maxWaiting = Math.max(1, maxWaiting);
    this.emit = emit;
    this.onDropped = onDropped;
    this.leftInSlice = perSlice;
  }

  /**
   * Emits the event now if the slice has budget left and nothing of its key waits; else it waits.
   */
  public void offer(K key, V event) {
    if (urgent.containsKey(key)) {
      urgent.put(key, event); // the newer state keeps the urgent place
      return;
    }
    if (waiting.containsKey(key)) {
      waiting.put(key, event);
      return;
    }
    if (leftInSlice > 0 && waiting.isEmpty() && urgent.isEmpty()) {
      if (perSlice != Integer.MAX_VALUE) leftInSlice--;
      emit.accept(key, event);
      return;
    }
    if (waiting.size() >= maxWaiting) {
      Iterator<K> eldest = waiting.keySet().iterator();
      eldest.next();
      eldest.remove();
      dropped++;
      onDropped.run();
    }
    waiting.put(key, event);
  }

  /**
   * An event that must not queue behind ordinary ones (a session's status changed: paused,
   * resumed): it replaces the key's waiting event and leaves now if the slice has budget, else
   * first in the next slice. Still counted against the budget, so a flood of them stays bounded.
   */
  public void offerUrgent(K key, V event) {
    waiting.remove(key);
    if (urgent.containsKey(key)) {
      urgent.put(key, event);
      return;
    }
    if (leftInSlice > 0 && urgent.isEmpty()) {
      if (perSlice != Integer.MAX_VALUE) leftInSlice--;
      emit.accept(key, event);
      return;
    }
    if (urgent.size() >= maxWaiting) {
      Iterator<K> eldest = urgent.keySet().iterator();
      eldest.next();
      eldest.remove();
      dropped++;
      onDropped.run();
    }
    urgent.put(key, event);
  }

  /** A new slice (every 100 ms): urgent events first, then the oldest waiting ones. */
  public void tick() {
    leftInSlice = perSlice;
    var u = urgent.entrySet().iterator();
    while (leftInSlice > 0 && u.hasNext()) {
      var e = u.next();
      u.remove();
      if (perSlice != Integer.MAX_VALUE) leftInSlice--;
      emit.accept(e.getKey(), e.getValue());
    }
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
    urgent.remove(key);
  }

  /** Nothing waits any more (the owner stops). */
  public void clear() {
    waiting.clear();
    urgent.clear();
  }

  public int waiting() {
    return waiting.size() + urgent.size();
  }

  public long dropped() {
    return dropped;
  }
}
