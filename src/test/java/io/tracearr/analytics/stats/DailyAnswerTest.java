package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The spliced answer is byte for byte the answer encoded in one go, and its gzip (the head's
 * deflate blocks, then today's row and the tail deflated against the head as dictionary) inflates
 * to it with a standard gzip reader, wherever today falls in the range.
 */
class DailyAnswerTest {

  static final LocalDate TODAY = LocalDate.parse("2026-11-30");

  static Map<LocalDate, DailyStat> past(LocalDate from, int days) {
    Map<LocalDate, DailyStat> out = new HashMap<>();
    for (int i = 0; i < days; i++) {
      LocalDate d = from.plusDays(i);
      // only days before today have a roll-up; some have none and read as zeros
      if (i % 7 == 3 || !d.isBefore(TODAY)) continue; // days without a roll-up row read as zeros
      out.put(d, new DailyStat(d, 100 + i, 3600.5 * i, 10 + i % 13, 1_000_000_007L * i, i, i % 9));
    }
    return out;
  }

  /** the answer as StatsRoutes encoded it before the splice: one JsonObject */
  static String whole(
      LocalDate start, LocalDate end, Map<LocalDate, DailyStat> past, DailyStat live) {
    List<DailyStat> days = StatsRepository.days(start, end, TODAY, past, live);
    return new JsonObject()
        .put("start", start.toString())
        .put("end", end.toString())
        .put("timezone", "Europe/Berlin")
        .put("items", new JsonArray(days.stream().map(DailyStat::toJson).toList()))
        .encode();
  }

  static String gunzip(Buffer gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.getBytes()))) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  void check(LocalDate start, LocalDate end) throws IOException {
    Map<LocalDate, DailyStat> past = past(start, 400);
    DailyAnswer parts = new DailyAnswer(start, end, TODAY, "Europe/Berlin", past);
    for (DailyStat live :
        new DailyStat[] {
          null, new DailyStat(TODAY, 5, 61.25, 2, 123_456_789L, 1, 2), DailyStat.zero(TODAY)
        }) {
      DailyAnswer.Encoded e = parts.with(live);
      String expected = whole(start, end, past, live);
      assertTrue(expected.equals(e.body().toString()), "body of " + start + ".." + end);
      if (expected.length() >= DailyAnswer.GZIP_FROM_BYTES) {
        assertTrue(expected.equals(gunzip(e.gzipped())), "gzip of " + start + ".." + end);
        assertTrue(e.gzipped().length() < expected.length() / 3, "compressed");
      } else assertNull(e.gzipped());
    }
  }

  @Test
  void aYearEndingToday() throws IOException {
    check(TODAY.minusDays(364), TODAY);
  }

  @Test
  void todayInTheMiddleFirstOrAlone() throws IOException {
    check(TODAY.minusDays(200), TODAY.plusDays(100));
    check(TODAY, TODAY.plusDays(365));
    check(TODAY, TODAY);
    check(TODAY.minusDays(3), TODAY.plusDays(2));
  }

  @Test
  void rangesWithoutToday() throws IOException {
    check(TODAY.minusDays(365), TODAY.minusDays(1));
    check(TODAY.plusDays(1), TODAY.plusDays(30));
    check(TODAY.minusDays(2), TODAY.minusDays(1));
  }

  @Test
  void theSpliceIsCheaperThanEncodingTheWholeAnswer() throws IOException {
    // printed, not asserted (timings on a shared machine): the figures in docs/benchmarks.md
    LocalDate start = TODAY.minusDays(364);
    Map<LocalDate, DailyStat> past = past(start, 365);
    DailyAnswer parts = new DailyAnswer(start, TODAY, TODAY, "UTC", past);
    int n = 2000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) parts.with(new DailyStat(TODAY, i, i, i, i, i, i));
    long splice = System.nanoTime() - t0;
    t0 = System.nanoTime();
    for (int i = 0; i < n / 10; i++) {
      Buffer body =
          Buffer.buffer(whole(start, TODAY, past, new DailyStat(TODAY, i, i, i, i, i, i)));
      DailyAnswer.gzip(body);
    }
    long full = (System.nanoTime() - t0) * 10;
    t0 = System.nanoTime();
    for (int i = 0; i < n / 10; i++) new DailyAnswer(start, TODAY, TODAY, "UTC", past);
    long build = (System.nanoTime() - t0) * 10;
    System.out.printf(
        "DailyAnswer: splice of today's row %.1f us, whole answer encoded + gzipped %.1f us,"
            + " past part built %.1f us (per answer, %d answers)%n",
        splice / 1e3 / n, full / 1e3 / n, build / 1e3 / n, n);
  }
}
