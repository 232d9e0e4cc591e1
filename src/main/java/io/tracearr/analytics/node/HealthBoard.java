package io.tracearr.analytics.node;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the concerns of this node say about their own health, for {@code /health/ready}: each
 * reports a component by name (a JSON value shown under {@code checks}) and whether it makes the
 * node unready. A concern that can no longer do its job (the registry cannot write heartbeats) says
 * so here instead of the gateway guessing. Thread-safe: concerns report from their own event loops.
 */
public final class HealthBoard {

  private record Entry(Object value, boolean blocksReadiness) {}

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param value a JSON value (a status word or an object) shown as {@code checks.<component>}
   */
  public void report(String component, Object value, boolean blocksReadiness) {
    entries.put(component, new Entry(value, blocksReadiness));
  }

  public void clear(String component) {
    entries.remove(component);
  }

  /** The reported components, in name order. */
  public JsonObject checks() {
    JsonObject out = new JsonObject();
    new TreeMap<>(entries).forEach((name, e) -> out.put(name, e.value()));
    return out;
  }

  public boolean blocksReadiness() {
    return entries.values().stream().anyMatch(Entry::blocksReadiness);
  }
}
