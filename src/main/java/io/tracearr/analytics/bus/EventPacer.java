package io.tracearr.analytics.bus;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * At most one event per key per interval: the first event of a key goes out at once; later ones
 * within the interval replace each other, and the latest goes out when the interval has passed
 * ({@link #due}). A key that stays quiet for a whole interval is forgotten, so its next event goes
 * out at once again.
 *
 * <p>Used by the registry (one {@code session.updated} per session per second from each node) and
 * by each gateway's live hub (the same bound again, since a client whose heartbeats reach two nodes
 * reaches two registries). Pure: the caller passes the time and calls {@link #due} from its own
 * timer, so a table of cases tests it without an event loop. Not thread-safe: one owner (an event
 * loop).
 *
 * @param <K> the key (a session id)
 * @param <V> the event (kept as given: the registry keeps a row, the hub the published JSON)
 */
public final class EventPacer<K, V> {

  private static final class Slot<V> {
    long lastSentNanos;
    V held;
  }

  private final long intervalNanos;
  private final Map<K, Slot<V>> slots = new HashMap<>();

  /** keys with an event held back, in the order their first held event arrived */
  private final LinkedHashMap<K, Slot<V>> held = new LinkedHashMap<>();

  private final int maxHeld;
  private long dropped;

  public EventPacer(long intervalNanos) {
    this(intervalNanos, Integer.MAX_VALUE);
  }

  /**
   * At most {@code maxHeld} keys hold an event: past that a new key's event is dropped (counted in
   * {@link #dropped}) instead of held, so the memory held is bounded whatever the number of keys;
   * the key's next event after its interval goes out as usual.
   */
  public EventPacer(long intervalNanos, int maxHeld) {
    this.intervalNanos = intervalNanos;
    this.maxHeld = maxHeld;
  }

  /**
   * Returns {@code event} if it may go out now; otherwise it is held (replacing an older held one)
   * and null returned.
   */
  public V offer(K key, V event, long nowNanos) {
    if (intervalNanos <= 0) return event;
    Slot<V> slot = slots.get(key);
    if (slot == null || (slot.held == null && nowNanos - slot.lastSentNanos >= intervalNanos)) {
      if (slot == null) {
        slot = new Slot<>();
        slots.put(key, slot);
      }
      slot.lastSentNanos = nowNanos;
      return event;
    }
    if (slot.held == null) {
      if (held.size() >= maxHeld) {
        dropped++;
        return null;
      }
      held.put(key, slot);
    }
    slot.held = event;
    return null;
  }

  /**
   * Hands every held event whose interval has passed to {@code emit}, and forgets keys quiet for an
   * interval.
   */
  public void due(long nowNanos, BiConsumer<K, V> emit) {
    Iterator<Map.Entry<K, Slot<V>>> it = held.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<K, Slot<V>> e = it.next();
      Slot<V> slot = e.getValue();
      if (nowNanos - slot.lastSentNanos < intervalNanos) continue;
      V event = slot.held;
      slot.held = null;
      slot.lastSentNanos = nowNanos;
      it.remove();
      emit.accept(e.getKey(), event);
    }
    slots
        .values()
        .removeIf(slot -> slot.held == null && nowNanos - slot.lastSentNanos >= intervalNanos);
  }

  /** The key's stream ended (a session ended): a held event must not follow the end. */
  public void forget(K key) {
    slots.remove(key);
    held.remove(key);
  }

  public void clear() {
    slots.clear();
    held.clear();
  }

  /** Events dropped because {@code maxHeld} keys already held one. */
  public long dropped() {
    return dropped;
  }

  /** Keys with an event held back. */
  public int held() {
    return held.size();
  }

  /** Keys remembered (held, or sent within the last interval). */
  public int tracked() {
    return slots.size();
  }
}
