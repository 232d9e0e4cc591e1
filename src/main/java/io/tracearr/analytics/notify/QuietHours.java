package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.Optional;

/**
 * A daily window in the operator's time zone during which deliveries wait. The window may span
 * midnight (22:00–07:00). Start is inclusive, end exclusive. Computed in the zone, not in UTC, so
 * the window moves with daylight saving time as the operator's clock does.
 */
public record QuietHours(ZoneId zone, LocalTime start, LocalTime end, boolean allowHigh) {

  static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  public QuietHours {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (start.equals(end)) throw new IllegalArgumentException("start and end must differ");
  }

  public boolean spansMidnight() {
    return end.isBefore(start);
  }

  public boolean isQuiet(Instant at) {
    LocalTime t = at.atZone(zone).toLocalTime();
    return spansMidnight()
        ? !t.isBefore(start) || t.isBefore(end)
        : !t.isBefore(start) && t.isBefore(end);
  }

  /** When the quiet window that contains {@code at} ends; empty when {@code at} is not quiet. */
  public Optional<Instant> endOf(Instant at) {
    if (!isQuiet(at)) return Optional.empty();
    ZonedDateTime local = at.atZone(zone);
    LocalDate endDay =
        !local.toLocalTime().isBefore(start) && spansMidnight()
            ? local.toLocalDate().plusDays(1)
            : local.toLocalDate();
    // ZonedDateTime.of moves an end that falls into a DST gap forward, never back into the window
    return Optional.of(ZonedDateTime.of(endDay, end, zone).toInstant());
  }

  /**
   * When a delivery of this severity made at {@code at} may go: empty means now. {@code severity}
   * is null for events that are not alerts; those never break through.
   */
  public Optional<Instant> holdUntil(Instant at, Severity severity) {
    if (allowHigh && severity == Severity.HIGH) return Optional.empty();
    return endOf(at);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("timezone", zone.getId())
        .put("start", start.format(HH_MM))
        .put("end", end.format(HH_MM))
        .put("allow_high", allowHigh);
  }
}
