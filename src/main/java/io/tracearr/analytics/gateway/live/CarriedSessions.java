package io.tracearr.analytics.gateway.live;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sessions one ingest socket carries (started or heard over it, not ended), least recently
 * heard first and at most {@code max}. A session that ended through another door (reaped, ended
 * over REST) gets no more heartbeats here and ages out; one that is still heart-beating is always
 * among the most recently heard, so the bound drops the silent ones first. One event loop only.
 */
final class CarriedSessions {

  private final Map<String, Boolean> heard;

  CarriedSessions(int max) {
    // access order: adding a session again (its heartbeat) moves it to the most recent end
    this.heard =
        new LinkedHashMap<>(64, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > max;
          }
        };
  }

  /** Started or heard now. */
  void add(String id) {
    heard.put(id, Boolean.TRUE);
  }

  void remove(String id) {
    heard.remove(id);
  }

  boolean contains(String id) {
    return heard.containsKey(id);
  }

  int size() {
    return heard.size();
  }
}
