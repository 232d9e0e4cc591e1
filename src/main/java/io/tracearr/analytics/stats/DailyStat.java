package io.tracearr.analytics.stats;

import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;

/**
 * One day's figures (the seed's {@code DailyStat}): the sessions that <em>started</em> that day,
 * and the most sessions open at one instant of it.
 */
public record DailyStat(
    LocalDate date,
    long totalSessions,
    double totalDurationSeconds,
    long uniqueUsers,
    long totalBytes,
    long transcodedSessions,
    int peakConcurrentStreams) {

  /** these figures with unique users and peak replaced (the part only starts and ends move) */
  public DailyStat withPeople(long users, int peak) {
    return new DailyStat(
        date, totalSessions, totalDurationSeconds, users, totalBytes, transcodedSessions, peak);
  }

  public static DailyStat zero(LocalDate date) {
    return new DailyStat(date, 0, 0, 0, 0, 0, 0);
  }

  /**
   * Played minutes, rounded down; the epsilon absorbs float sums such as 59.99999999 of whole
   * seconds.
   */
  public long totalDurationMinutes() {
    return (long) Math.floor(totalDurationSeconds / 60 + 1e-9);
  }

  public double totalBandwidthGb() {
    return BigDecimal.valueOf(totalBytes)
        .movePointLeft(9)
        .setScale(3, RoundingMode.HALF_UP)
        .doubleValue();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("date", date.toString())
        .put("total_sessions", totalSessions)
        .put("total_duration_minutes", totalDurationMinutes())
        .put("unique_users", uniqueUsers)
        .put("total_bandwidth_gb", totalBandwidthGb())
        .put("transcoded_sessions", transcodedSessions)
        .put("peak_concurrent_streams", peakConcurrentStreams);
  }
}
