package io.tracearr.analytics.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.LongSupplier;

/**
 * Counts failed authentications per client address in a one-minute window starting at the first
 * failure. Past the limit, the address is refused (429) until its window ends, even with a good
 * token: a guesser learns nothing from which of its tries would have worked. Memory is bounded: at
 * most {@link #MAX_ADDRESSES} addresses are tracked (least recently written ones go first) and a
 * quiet address is forgotten after a minute. One per node (every gateway instance shares it), so
 * the limit does not multiply with http.instances.
 */
public final class FailedAuthLimiter {

  static final int MAX_ADDRESSES = 100_000;
  static final long WINDOW_MS = 60_000;

  private record Window(long startMs, int failures) {}

  private static final Map<io.vertx.core.Vertx, FailedAuthLimiter> PER_NODE = new WeakHashMap<>();

  private final int limit;
  private final LongSupplier clockMs;
  private final Runnable onRefused;
  private final Cache<String, Window> windows =
      Caffeine.newBuilder()
          .maximumSize(MAX_ADDRESSES)
          .expireAfterWrite(Duration.ofMillis(WINDOW_MS))
          .build();

  FailedAuthLimiter(int limit, LongSupplier clockMs, Runnable onRefused) {
    this.limit = limit;
    this.clockMs = clockMs;
    this.onRefused = onRefused;
  }

  /**
   * The limiter of one node (its Vert.x instance: compared by identity), made by the first gateway
   * instance that asks.
   */
  public static synchronized FailedAuthLimiter forNode(
      io.vertx.core.Vertx nodeVertx, int perMinute, Runnable onRefused) {
    return PER_NODE.computeIfAbsent(
        nodeVertx, k -> new FailedAuthLimiter(perMinute, System::currentTimeMillis, onRefused));
  }

  public boolean enabled() {
    return limit > 0;
  }

  /**
   * Seconds the address must wait before trying again, 0 when it may try now. Counts a refusal when
   * > 0.
   */
  public long blockedFor(String address) {
    if (!enabled() || address == null) return 0;
    Window w = windows.getIfPresent(address);
    long wait = w == null ? 0 : waitSeconds(w, clockMs.getAsLong());
    if (wait > 0) onRefused.run();
    return wait;
  }

  /**
   * Records a failure; answers the seconds to wait when this one went over the limit (counted as a
   * refusal), else 0.
   */
  public long failed(String address) {
    if (!enabled() || address == null) return 0;
    long now = clockMs.getAsLong();
    Window w =
        windows
            .asMap()
            .compute(
                address,
                (a, old) ->
                    old == null || now - old.startMs() >= WINDOW_MS
                        ? new Window(now, 1)
                        : new Window(old.startMs(), old.failures() + 1));
    long wait = waitSeconds(w, now);
    if (wait > 0) onRefused.run();
    return wait;
  }

  private long waitSeconds(Window w, long now) {
    long left = w.startMs() + WINDOW_MS - now;
    if (w.failures() <= limit || left <= 0) return 0;
    return Math.max(1, (left + 999) / 1000);
  }
}
