package io.tracearr.analytics.stats;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whole encoded answers (body and its gzip), shared by the gateway instances of one node and keyed
 * by the full query, served with no database work under the {@link LiveToday} rule: an answer is
 * served only while its computation started after the last change this node heard of ({@link
 * #changed}: every {@code events.session.started|ended} and {@code events.stats.updated} of the
 * cluster, the last one also covering a roll-up that rewrote past days) and less than {@code
 * maxAge} ago (heartbeats move durations and bytes without an event; a change on another node is
 * heard a few ms after its commit). Otherwise the caller waits for a computation that started after
 * both: no stale-while-revalidate, so the first read after a quiet spell or a change is exact. A
 * request served an answer older than half the age limit starts its successor (refresh ahead):
 * under steady load no request waits for the age limit, only after a change. Concurrent requests
 * for one key share one computation. Bounded by entries and bytes (least recently used dropped
 * first). Thread-safe: the map is guarded by this object's monitor, held for map operations only.
 */
public final class FreshAnswers {

  /** an encoded answer; {@code gzipped} is null when the body is sent as it is */
  public record Encoded(Buffer body, Buffer gzipped) {
    int size() {
      return body.length() + (gzipped == null ? 0 : gzipped.length());
    }
  }

  private static final class Entry {
    final Promise<Encoded> promise;
    final Future<Encoded> future;

    /** a computation started ahead of this one's age limit, to replace it */
    Entry next;

    /** when its computation started: it holds every change heard of before */
    final long asOf;

    /** bytes counted in {@link #bytes} once completed, else 0 */
    int size;

    Entry(long asOf) {
      this.promise = Promise.promise();
      this.future = promise.future();
      this.asOf = asOf;
    }
  }

  private final long maxAgeNanos;
  private final int maxEntries;
  private final long maxBytes;
  private final LongSupplier clock;
  private final AtomicLong changedAt;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long bytes;

  /** computations started (for tests: an answer served without one came from the cache) */
  private final AtomicLong computations = new AtomicLong();

  public FreshAnswers(Duration maxAge, int maxEntries, long maxBytes) {
    this(maxAge, maxEntries, maxBytes, System::nanoTime);
  }

  FreshAnswers(Duration maxAge, int maxEntries, long maxBytes, LongSupplier clock) {
    this.maxAgeNanos = maxAge.toNanos();
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.clock = clock;
    this.changedAt = new AtomicLong(clock.getAsLong());
  }

  /**
   * A session started or ended somewhere in the cluster, or a roll-up completed: answers from
   * before it are stale.
   */
  public void changed() {
    long now = clock.getAsLong();
    // events arrive on several event loops: never move the mark backwards
    changedAt.accumulateAndGet(now, (mark, t) -> t - mark > 0 ? t : mark);
  }

  /** now, on this cache's clock: a computation started now holds every change heard of before */
  public long mark() {
    return clock.getAsLong();
  }

  /**
   * No change heard of since {@code mark} (from {@link #mark}), and it is younger than {@code
   * maxAge}: what was computed from then is still exact but for heartbeats.
   */
  public boolean unchangedSince(long mark, Duration maxAge) {
    return mark - changedAt.get() >= 0 && clock.getAsLong() - mark < maxAge.toNanos();
  }

  /**
   * The fresh answer for {@code key}, the fresh computation of it in flight, or a computation
   * started now. Completes on the caller's context.
   */
  public Future<Encoded> get(String key, Supplier<Future<Encoded>> compute) {
    long now = clock.getAsLong();
    Entry mine;
    Entry replacing;
    synchronized (this) {
      Entry found = entries.get(key);
      if (found != null && fresh(found.asOf, now)) {
        // past half its age, a served answer starts its successor, so that in a steady state no
        // request waits for the age limit; the served answer itself still obeys the rule
        if (found.next == null
            && found.future.isComplete()
            && now - found.asOf >= maxAgeNanos / 2) {
          found.next = new Entry(now);
          mine = found.next;
          replacing = found;
        } else return here(found.future);
      } else if (found != null && found.next != null && fresh(found.next.asOf, now)) {
        return here(found.next.future);
      } else {
        if (found != null) forget(key, found);
        mine = new Entry(now);
        replacing = null;
        entries.put(key, mine);
        trim();
      }
    }
    start(key, mine, replacing, compute);
    return here(replacing != null ? replacing.future : mine.future);
  }

  /**
   * Runs {@code mine}'s computation; its answer is kept if it is still the key's entry, or replaces
   * {@code replacing} if that is (a refresh ahead of the age limit).
   */
  private void start(String key, Entry mine, Entry replacing, Supplier<Future<Encoded>> compute) {
    computations.incrementAndGet();
    Future<Encoded> running;
    try {
      running = compute.get();
    } catch (RuntimeException e) {
      running = Future.failedFuture(e);
    }
    running.onComplete(
        ar -> {
          synchronized (this) {
            if (replacing != null) {
              if (replacing.next == mine) replacing.next = null;
              if (ar.succeeded() && entries.get(key) == replacing) {
                forget(key, replacing);
                entries.put(key, mine);
                mine.size = ar.result().size();
                bytes += mine.size;
                trim();
              }
            } else if (entries.get(key) == mine) {
              if (ar.failed()) forget(key, mine);
              else {
                mine.size = ar.result().size();
                bytes += mine.size;
                trim();
              }
            }
          }
          mine.promise.handle(ar);
        });
  }

  long computations() {
    return computations.get();
  }

  synchronized int entries() {
    return entries.size();
  }

  synchronized long bytes() {
    return bytes;
  }

  private boolean fresh(long asOf, long now) {
    return asOf - changedAt.get() >= 0 && now - asOf < maxAgeNanos;
  }

  private void forget(String key, Entry entry) {
    if (entries.remove(key, entry)) bytes -= entry.size;
  }

  /** drops the least recently used entries past the bounds */
  private void trim() {
    Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
    while ((entries.size() > maxEntries || bytes > maxBytes) && eldest.hasNext()) {
      bytes -= eldest.next().getValue().size;
      eldest.remove();
    }
  }

  /** computed on another gateway instance's event loop: complete on the caller's */
  private static Future<Encoded> here(Future<Encoded> shared) {
    if (shared.isComplete()) return shared;
    Context here = Vertx.currentContext();
    if (here == null) return shared;
    Promise<Encoded> local = Promise.promise();
    shared.onComplete(ar -> here.runOnContext(v -> local.handle(ar)));
    return local.future();
  }
}
