package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * FreshAnswers' rule, without a server: an answer is served only if its computation started after
 * the last change heard of and less than max age ago; concurrent misses share one computation; the
 * cache stays within its bounds.
 */
class FreshAnswersTest {

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final List<Promise<FreshAnswers.Encoded>> computations = new ArrayList<>();
  final FreshAnswers answers = new FreshAnswers(Duration.ofSeconds(1), 3, 100, now::get);

  Future<FreshAnswers.Encoded> get(String key) {
    return answers.get(
        key,
        () -> {
          Promise<FreshAnswers.Encoded> p = Promise.promise();
          computations.add(p);
          return p.future();
        });
  }

  static FreshAnswers.Encoded encoded(int size) {
    return new FreshAnswers.Encoded(Buffer.buffer(new byte[size]), null);
  }

  @Test
  void aFreshAnswerIsServedWithoutComputing() {
    Future<FreshAnswers.Encoded> first = get("q");
    Future<FreshAnswers.Encoded> joined = get("q");
    assertEquals(1, computations.size(), "concurrent misses share one computation");
    computations.get(0).complete(encoded(10));
    assertSame(first.result(), joined.result());
    now.addAndGet(Duration.ofMillis(400).toNanos());
    assertSame(first.result(), get("q").result());
    assertEquals(1, computations.size());
    assertEquals(1, answers.computations());
  }

  @Test
  void pastHalfItsAgeAServedAnswerStartsItsSuccessor() {
    get("q");
    FreshAnswers.Encoded old = encoded(10);
    computations.get(0).complete(old);
    now.addAndGet(Duration.ofMillis(600).toNanos());
    assertSame(old, get("q").result(), "still fresh: served as it is");
    assertEquals(2, computations.size(), "and its successor started");
    assertSame(old, get("q").result());
    assertEquals(2, computations.size(), "one successor at a time");
    // past the age limit the successor, started at 600 ms, is joined, not a new computation
    now.addAndGet(Duration.ofMillis(450).toNanos());
    Future<FreshAnswers.Encoded> joined = get("q");
    assertEquals(2, computations.size());
    FreshAnswers.Encoded next = encoded(12);
    computations.get(1).complete(next);
    assertSame(next, joined.result());
    assertSame(next, get("q").result());
    assertEquals(2, computations.size());
    assertEquals(12, answers.bytes());
    // a change makes the successor in flight stale too
    now.addAndGet(Duration.ofMillis(600).toNanos());
    get("q");
    assertEquals(3, computations.size());
    now.addAndGet(1);
    answers.changed();
    assertTrue(!get("q").isComplete());
    assertEquals(4, computations.size());
  }

  @Test
  void aChangeHeardOfMakesEveryAnswerAndComputationStale() {
    get("q");
    computations.get(0).complete(encoded(10));
    now.addAndGet(1);
    answers.changed();
    // the first read after the change waits for a computation that started after it
    Future<FreshAnswers.Encoded> after = get("q");
    assertEquals(2, computations.size());
    assertTrue(!after.isComplete());
    // a computation in flight when the change is heard is not joined either
    now.addAndGet(1);
    answers.changed();
    get("q");
    assertEquals(3, computations.size());
  }

  @Test
  void anAnswerAtMaxAgeIsNotServed() {
    get("q");
    computations.get(0).complete(encoded(10));
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    get("q");
    assertEquals(2, computations.size(), "a quiet spell: the first read computes again");
  }

  @Test
  void aFailedComputationIsNotKept() {
    Future<FreshAnswers.Encoded> failed = get("q");
    computations.get(0).fail(new IllegalStateException("database down"));
    assertTrue(failed.failed());
    get("q");
    assertEquals(2, computations.size());
  }

  @Test
  void theCacheStaysWithinItsEntriesAndBytes() {
    for (String key : List.of("a", "b", "c", "d")) {
      get(key);
      computations.get(computations.size() - 1).complete(encoded(20));
    }
    assertEquals(3, answers.entries(), "least recently used dropped past 3 entries");
    assertEquals(60, answers.bytes());
    get("e");
    computations.get(computations.size() - 1).complete(encoded(90));
    assertTrue(answers.bytes() <= 100, "bytes " + answers.bytes());
    // a dropped answer is computed again
    FreshAnswers.Encoded before = computations.get(0).future().result();
    get("a");
    assertEquals(6, computations.size());
    assertNotSame(before, computations.get(5).future());
  }
}
