package io.tracearr.analytics.importer;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/**
 * The time stamps the sources write as text, read leniently: "2024-03-01T20:00:00.000Z"
 * (node-postgres, Jellystat), "2024-03-01 20:00:00.123+02" (PostgreSQL's own text, dayjs),
 * "2024-03-15 20:00:00.1234567" (.NET "FFFFFFF", Playback Reporting, where trailing zeros and even
 * the dot are dropped).
 */
final class SourceTimes {

  private static final DateTimeFormatter FORMAT =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .appendValue(ChronoField.HOUR_OF_DAY, 2)
          .appendLiteral(':')
          .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
          .optionalStart()
          .appendLiteral(':')
          .appendValue(ChronoField.SECOND_OF_MINUTE, 2)
          .optionalEnd()
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:mm", "Z")
          .optionalEnd()
          .toFormatter();

  private SourceTimes() {}

  /**
   * @param zoneIfUnmarked the zone of a time written without an offset (a server's local clock)
   * @return null when the text is blank or not a time
   */
  static Instant parse(String text, ZoneId zoneIfUnmarked) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      TemporalAccessor t = FORMAT.parse(text.trim());
      LocalDateTime local = LocalDateTime.from(t);
      if (t.isSupported(ChronoField.OFFSET_SECONDS)) {
        return local.toInstant(ZoneOffset.ofTotalSeconds(t.get(ChronoField.OFFSET_SECONDS)));
      }
      return local.atZone(zoneIfUnmarked).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
