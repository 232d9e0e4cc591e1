package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.StatsCalendar.utc;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The usage reads of issue 17 ({@code stats/plays}, {@code stats/top-users}, {@code
 * stats/bandwidth}): past days from {@code daily_usage} (so their cost grows with days, users and
 * values, never with raw sessions), today live from the raw sessions that started today. Nothing is
 * cached: every answer includes every start and end committed before it was asked.
 */
public final class UsageRepository {

  /** the dimensions whose keys are ordinal (hours, weekdays): answered in key order */
  private static final List<String> ORDINAL = List.of("hour_of_day", "day_of_week", "weekday_hour");

  private static final String GROUPED =
      """
      WITH u AS (%s), g AS (
        SELECT key, sum(plays)::bigint AS plays, sum(watch_seconds)::float8 AS seconds,
               count(DISTINCT user_id) AS users, sum(bytes)::bigint AS bytes, max(last_seen) AS last_seen
        FROM u GROUP BY key
      )
      SELECT g.*, %s AS name FROM g ORDER BY %s LIMIT $7::int""";

  private static final String BYTES_PER_DAY =
      """
      SELECT day, sum(bytes)::bigint AS bytes FROM daily_usage
      WHERE dim = 'user' AND day >= $1 AND day <= $2 GROUP BY day""";

  private static final String LIVE_BYTES =
      """
      SELECT COALESCE(sum(bytes_transferred), 0)::bigint AS bytes FROM playback_sessions
      WHERE started_at >= $1 AND started_at < $2""";

  /** one usage group: a key of the dimension and its sums */
  public record Group(
      String key,
      String label,
      long plays,
      double watchSeconds,
      long uniqueUsers,
      long bytes,
      Instant lastSeen) {

    public JsonObject toJson() {
      return new JsonObject()
          .put("key", key)
          .put("label", label)
          .put("plays", plays)
          .put("watch_minutes", minutes(watchSeconds))
          .put("unique_users", uniqueUsers)
          .put("bandwidth_gb", gigabytes(bytes));
    }
  }

  private final Pool pool;
  private final StatsCalendar calendar;

  public UsageRepository(Pool pool, StatsCalendar calendar) {
    this.pool = pool;
    this.calendar = calendar;
  }

  public StatsCalendar calendar() {
    return calendar;
  }

  /**
   * Sessions started in [start, end] grouped by {@code groupBy} (a name of {@link
   * UsageSql#DIMENSIONS}): the {@code limit} largest groups (by plays), or every hour/weekday in
   * order.
   */
  public Future<List<Group>> plays(String groupBy, LocalDate start, LocalDate end, int limit) {
    String order =
        ORDINAL.contains(groupBy)
            ? "length(g.key), g.key"
            : groupBy.equals("user")
                ? "g.seconds DESC, g.plays DESC, g.key"
                : "g.plays DESC, g.seconds DESC, g.key";
    return grouped(groupBy, start, end, order, limit);
  }

  /** Users ranked by watch time over [start, end]. */
  public Future<List<Group>> topUsers(LocalDate start, LocalDate end, int limit) {
    return grouped("user", start, end, "g.seconds DESC, g.plays DESC, g.key", limit);
  }

  /** Users ranked by bytes over [start, end]. */
  public Future<List<Group>> bandwidthByUser(LocalDate start, LocalDate end, int limit) {
    return grouped("user", start, end, "g.bytes DESC, g.key", limit);
  }

  /** Bytes of the sessions started on each day of [start, end], zeros included, in order. */
  public Future<Map<LocalDate, Long>> bytesPerDay(LocalDate start, LocalDate end) {
    LocalDate today = calendar.today();
    Future<Map<LocalDate, Long>> past =
        pool.preparedQuery(BYTES_PER_DAY)
            .execute(Tuple.of(start, min(end, today.minusDays(1))))
            .map(
                rows -> {
                  Map<LocalDate, Long> out = new HashMap<>();
                  for (Row r : rows) out.put(r.getLocalDate("day"), r.getLong("bytes"));
                  return out;
                });
    Future<Long> live =
        StatsRepository.within(today, start, end)
            ? pool.preparedQuery(LIVE_BYTES)
                .execute(Tuple.of(utc(calendar.start(today)), utc(calendar.end(today))))
                .map(rows -> rows.iterator().next().getLong("bytes"))
            : Future.succeededFuture(0L);
    return Future.all(past, live)
        .map(
            done -> {
              Map<LocalDate, Long> out = new java.util.LinkedHashMap<>();
              for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(1)) {
                out.put(d, d.equals(today) ? live.result() : past.result().getOrDefault(d, 0L));
              }
              return out;
            });
  }

  private Future<List<Group>> grouped(
      String groupBy, LocalDate start, LocalDate end, String order, int limit) {
    LocalDate today = calendar.today();
    OffsetDateTime liveFrom;
    OffsetDateTime liveTo;
    if (StatsRepository.within(today, start, end)) {
      liveFrom = utc(calendar.start(today));
      liveTo = utc(calendar.end(today));
    } else {
      liveFrom = utc(calendar.start(today));
      liveTo = liveFrom;
    }
    String sql = GROUPED.formatted(UsageSql.perKeyAndUser(groupBy), nameOf(groupBy), order);
    return pool.preparedQuery(sql)
        .execute(
            Tuple.of(
                groupBy,
                start,
                min(end, today.minusDays(1)),
                liveFrom,
                liveTo,
                calendar.zone().getId(),
                limit))
        .map(
            rows -> {
              List<Group> out = new ArrayList<>();
              for (Row r : rows) {
                String key = r.getString("key");
                OffsetDateTime last = r.getOffsetDateTime("last_seen");
                out.add(
                    new Group(
                        key,
                        label(groupBy, key, r.getString("name")),
                        r.getLong("plays"),
                        r.getDouble("seconds"),
                        r.getLong("users"),
                        r.getLong("bytes"),
                        last == null ? null : last.toInstant()));
              }
              return out;
            });
  }

  /**
   * Names known in the database: users (the registry's table) and media servers (the connector's),
   * read by id, one index probe per answered group.
   */
  private static String nameOf(String groupBy) {
    return switch (groupBy) {
      case "user" -> "(SELECT n.name FROM users n WHERE n.id = g.key::uuid)";
      case "server" ->
          "(SELECT m.name FROM media_servers m WHERE g.key <> 'none' AND m.id::text = g.key)";
      default -> "NULL::text";
    };
  }

  static String label(String groupBy, String key, String name) {
    if (name != null) return name;
    switch (groupBy) {
      case "hour_of_day":
        return String.format("%02d:00", Integer.parseInt(key));
      case "day_of_week":
        return DayOfWeek.of(Integer.parseInt(key)).getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case "weekday_hour":
        {
          String[] parts = key.split("-");
          return DayOfWeek.of(Integer.parseInt(parts[0]))
                  .getDisplayName(TextStyle.SHORT, Locale.ENGLISH)
              + " "
              + parts[1]
              + ":00";
        }
      case "transcode":
        return key.equals("transcode") ? "Transcode" : "Direct play";
      case "country":
        {
          if (key.length() != 2) return "Unknown";
          String country = new Locale("", key).getDisplayCountry(Locale.ENGLISH);
          return country.isEmpty() || country.equals(key) ? key : country;
        }
      case "server":
        return key.equals("none") ? "No media server (direct clients)" : key;
      case "resolution":
        return key.equals("unknown") ? "Unknown" : key;
      default:
        return key;
    }
  }

  public static long minutes(double seconds) {
    return (long) Math.floor(seconds / 60 + 1e-9);
  }

  /** GB = 10^9 bytes, 3 decimals (to the nearest MB) */
  public static double gigabytes(long bytes) {
    return Math.round(bytes / 1e6) / 1000.0;
  }

  private static LocalDate min(LocalDate a, LocalDate b) {
    return a.isBefore(b) ? a : b;
  }
}
