package io.tracearr.analytics.notify;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * RFC 9110 {@code Retry-After}: delay-seconds or an HTTP-date. Fractional seconds are accepted too,
 * since Discord's rate-limit examples send them ({@code retry_after: 64.57}) and rounding down
 * would retry early.
 */
final class RetryAfter {

  private RetryAfter() {}

  static Optional<Duration> parse(String header, Instant now) {
    if (header == null || header.isBlank()) return Optional.empty();
    String v = header.trim();
    try {
      BigDecimal seconds = new BigDecimal(v);
      if (seconds.signum() < 0) return Optional.empty();
      return Optional.of(
          Duration.ofMillis(
              seconds
                  .movePointRight(3)
                  .setScale(0, java.math.RoundingMode.CEILING)
                  .longValueExact()));
    } catch (NumberFormatException | ArithmeticException e) {
      // not a number: try a date
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
