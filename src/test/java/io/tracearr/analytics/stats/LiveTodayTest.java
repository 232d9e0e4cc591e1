package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * LiveToday's rule, without a server: never an answer from before a change or older than max age.
 */
class LiveTodayTest {

  static final LocalDate TODAY = LocalDate.parse("2026-03-01");
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final List<Promise<DailyStat>> queries = new ArrayList<>();
  final LiveToday live =
      new LiveToday(
          day -> {
            Promise<DailyStat> p = Promise.promise();
            queries.add(p);
            return p.future();
          },
          Duration.ofSeconds(1),
          now::get);

  static DailyStat sessions(long n) {
    return new DailyStat(TODAY, n, 0, 0, 0, 0, 0);
  }

  @Test
  void aFreshAnswerIsSharedAndAChangeForcesANewQuery() {
    Future<DailyStat> first = live.current(TODAY);
    Future<DailyStat> joined = live.current(TODAY);
    assertSame(first, joined, "requests share the query in flight");
    queries.get(0).complete(sessions(1));
    assertEquals(1, live.current(TODAY).result().totalSessions());
    assertEquals(1, queries.size(), "served from memory while fresh");

    now.addAndGet(10);
    live.changed();
    now.addAndGet(10);
    Future<DailyStat> afterChange = live.current(TODAY);
    assertFalse(afterChange.isComplete(), "no stale answer after a change: it waits");
    assertEquals(2, queries.size());
    queries.get(1).complete(sessions(2));
    assertEquals(2, afterChange.result().totalSessions());
  }

  @Test
  void aQueryInFlightFromBeforeAChangeIsNotJoined() {
    Future<DailyStat> before = live.current(TODAY);
    now.addAndGet(10);
    live.changed();
    now.addAndGet(10);
    Future<DailyStat> after = live.current(TODAY);
    assertTrue(before != after);
    assertEquals(2, queries.size());
    queries.get(1).complete(sessions(5));
    queries.get(0).complete(sessions(4));
    // the older query finishing last does not replace the newer answer
    assertEquals(5, live.current(TODAY).result().totalSessions());
  }

  @Test
  void afterAQuietSpellTheFirstReadWaitsForANewQuery() {
    live.current(TODAY);
    queries.get(0).complete(sessions(1));
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    Future<DailyStat> first = live.current(TODAY);
    assertFalse(first.isComplete(), "an old answer is not served while refreshing");
    queries.get(1).complete(sessions(3));
    assertEquals(3, first.result().totalSessions());
  }

  @Test
  void pastHalfItsAgeAServedValueStartsItsSuccessorSoNobodyWaits() {
    live.current(TODAY);
    queries.get(0).complete(sessions(1));
    now.addAndGet(Duration.ofMillis(600).toNanos());
    Future<DailyStat> served = live.current(TODAY);
    assertEquals(1, served.result().totalSessions(), "still fresh: served at once");
    assertEquals(2, queries.size(), "and its successor started");
    live.current(TODAY);
    assertEquals(2, queries.size(), "one successor at a time");
    queries.get(1).complete(sessions(2));
    now.addAndGet(Duration.ofMillis(500).toNanos());
    // 1.1 s after the first query: without the successor this read would wait
    assertEquals(2, live.current(TODAY).result().totalSessions());
  }

  @Test
  void aSlowSuccessorKeepsTheValueServedUntilTwiceTheAgeButNotAfterAChange() {
    live.current(TODAY);
    queries.get(0).complete(sessions(1));
    now.addAndGet(Duration.ofMillis(600).toNanos());
    live.current(TODAY); // starts the successor at 0.6 s
    assertEquals(2, queries.size());
    now.addAndGet(Duration.ofMillis(700).toNanos());
    assertEquals(
        1, live.current(TODAY).result().totalSessions(), "1.3 s: the successor still runs");
    now.addAndGet(Duration.ofMillis(800).toNanos());
    assertFalse(live.current(TODAY).isComplete(), "2.1 s: past twice the age, it waits");
    queries.get(1).complete(sessions(2));
    now.addAndGet(Duration.ofMillis(600).toNanos());
    live.current(TODAY); // 0.6 s into the new value: its successor
    assertEquals(3, queries.size());
    now.addAndGet(Duration.ofMillis(500).toNanos());
    live.changed();
    now.addAndGet(10);
    assertFalse(live.current(TODAY).isComplete(), "after a change the first read waits");
  }

  @Test
  void usersAndPeakAreReusedUntilAChangeOrTheirAgeLimit() {
    List<Promise<DailyStat>> sums = new ArrayList<>();
    List<Promise<DailyStat>> people = new ArrayList<>();
    LiveToday split =
        new LiveToday(
            day -> {
              Promise<DailyStat> p = Promise.promise();
              sums.add(p);
              return p.future();
            },
            day -> {
              Promise<DailyStat> p = Promise.promise();
              people.add(p);
              return p.future();
            },
            Duration.ofSeconds(1),
            now::get);
    Future<DailyStat> first = split.current(TODAY);
    sums.get(0).complete(new DailyStat(TODAY, 3, 60, 0, 1000, 1, 0));
    assertFalse(first.isComplete(), "waits for users and peak too");
    people.get(0).complete(new DailyStat(TODAY, 0, 0, 2, 0, 0, 2));
    assertEquals(new DailyStat(TODAY, 3, 60, 2, 1000, 1, 2), first.result());

    // heartbeats only: a new value re-reads the sums and keeps users and peak
    now.addAndGet(Duration.ofSeconds(2).toNanos());
    Future<DailyStat> second = split.current(TODAY);
    assertEquals(2, sums.size());
    assertEquals(1, people.size(), "no start or end since: users and peak reused");
    sums.get(1).complete(new DailyStat(TODAY, 3, 90, 0, 1500, 1, 0));
    assertEquals(new DailyStat(TODAY, 3, 90, 2, 1500, 1, 2), second.result());

    // a start: both again
    now.addAndGet(10);
    split.changed();
    now.addAndGet(10);
    Future<DailyStat> third = split.current(TODAY);
    assertEquals(3, sums.size());
    assertEquals(2, people.size(), "a change forces users and peak again");
    sums.get(2).complete(new DailyStat(TODAY, 4, 95, 0, 1600, 1, 0));
    people.get(1).complete(new DailyStat(TODAY, 0, 0, 3, 0, 0, 3));
    assertEquals(new DailyStat(TODAY, 4, 95, 3, 1600, 1, 3), third.result());

    // no event for longer than their age limit (one lost): both again
    now.addAndGet(LiveToday.PEOPLE_MAX_AGE.toNanos());
    split.current(TODAY);
    assertEquals(3, people.size(), "users and peak are never older than their age limit");
  }
}
