package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class StatsCalendarTest {

  static final StatsCalendar PARIS = new StatsCalendar(ZoneId.of("Europe/Paris"));

  @Test
  void aDstDayHasAsManyHourBucketsAsHours() {
    assertEquals(24, PARIS.hours(LocalDate.parse("2024-06-01")).size());
    assertEquals(23, PARIS.hours(LocalDate.parse("2024-03-31")).size(), "spring forward");
    assertEquals(25, PARIS.hours(LocalDate.parse("2024-10-27")).size(), "fall back");
    assertEquals(Instant.parse("2024-10-26T22:00:00Z"), PARIS.start(LocalDate.parse("2024-10-27")));
    assertEquals(Instant.parse("2024-10-27T23:00:00Z"), PARIS.end(LocalDate.parse("2024-10-27")));
  }

  @Test
  void todayIsTheZonesDay() {
    Clock lateUtc = Clock.fixed(Instant.parse("2024-06-01T23:30:00Z"), ZoneOffset.UTC);
    assertEquals(
        LocalDate.parse("2024-06-02"),
        new StatsCalendar(ZoneId.of("Europe/Paris"), lateUtc).today());
    assertEquals(LocalDate.parse("2024-06-01"), new StatsCalendar(ZoneOffset.UTC, lateUtc).today());
    assertEquals(LocalDate.parse("2024-06-01"), PARIS.dayOf(Instant.parse("2024-05-31T22:00:00Z")));
  }

  @Test
  void dailyStatRounding() {
    DailyStat s =
        new DailyStat(LocalDate.parse("2024-06-01"), 1, 119.9999, 1, 4_835_567_890L, 0, 0);
    assertEquals(1, s.totalDurationMinutes());
    assertEquals(4.836, s.totalBandwidthGb());
    assertEquals(
        0.0,
        new DailyStat(LocalDate.parse("2024-06-01"), 1, 59.5, 1, 499_999, 0, 0).totalBandwidthGb());
    assertEquals(
        0.001,
        new DailyStat(LocalDate.parse("2024-06-01"), 1, 59.5, 1, 500_000, 0, 0).totalBandwidthGb());
  }
}
