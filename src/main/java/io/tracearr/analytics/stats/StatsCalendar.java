package io.tracearr.analytics.stats;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * What a "day" is: a calendar day in {@code analytics.timezone}. Every day boundary is computed
 * here (in Java, from the IANA zone) and handed to SQL as an instant, so PostgreSQL never has to
 * agree with us on zone names, and a DST day simply has 23 or 25 hours.
 */
public record StatsCalendar(ZoneId zone, Clock clock) {

  public StatsCalendar(ZoneId zone) {
    this(zone, Clock.systemUTC());
  }

  public LocalDate today() {
    return LocalDate.now(clock.withZone(zone));
  }

  public Instant start(LocalDate day) {
    return day.atStartOfDay(zone).toInstant();
  }

  public Instant end(LocalDate day) {
    return start(day.plusDays(1));
  }

  public LocalDate dayOf(Instant instant) {
    return LocalDate.ofInstant(instant, zone);
  }

  /** The hour buckets of a day: absolute hours from its start (23, 24 or 25 of them). */
  public List<Instant> hours(LocalDate day) {
    List<Instant> hours = new ArrayList<>(25);
    Instant end = end(day);
    for (Instant h = start(day); h.isBefore(end); h = h.plusSeconds(3600)) hours.add(h);
    return hours;
  }

  /** The form the pg client binds to timestamptz. */
  public static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
