package io.tracearr.analytics.stats;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The windows popular content is ranked over, each ending with the day of the last roll-up. */
public enum PopularWindow {
  DAY(1),
  WEEK(7),
  MONTH(30),
  YEAR(365),
  /** every rolled-up day: a length no history reaches */
  ALL(1_000_000);

  private final int days;

  PopularWindow(int days) {
    this.days = days;
  }

  public int days() {
    return days;
  }

  public String id() {
    return name().toLowerCase();
  }

  public static Optional<PopularWindow> parse(String id) {
    return Arrays.stream(values()).filter(w -> w.id().equals(id)).findFirst();
  }

  /** The windows as an SQL row source {@code (VALUES ('day', 1), ...)} with columns (name, len). */
  static String valuesSql() {
    return Arrays.stream(values())
        .map(w -> "('" + w.id() + "', " + w.days + ")")
        .collect(Collectors.joining(", ", "(VALUES ", ")"));
  }
}
