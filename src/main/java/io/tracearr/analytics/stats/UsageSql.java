package io.tracearr.analytics.stats;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The usage breakdowns (issue 17): what each {@code group_by} dimension's key is, as an SQL
 * expression over a session {@code s}, and the statements that roll them up into {@code
 * daily_usage}. One definition serves the roll-up (every dimension at once) and today's live answer
 * (one dimension), so past days and today can never disagree on a key. The time zone is a parameter
 * ({@code %1$s} below): hours and weekdays are local to {@code analytics.timezone}.
 */
public final class UsageSql {

  private UsageSql() {}

  private static final String LOCAL = "(s.started_at AT TIME ZONE %1$s)";

  /**
   * There is no platform column: the platform is read from the client and device names the media
   * servers report (e.g. "Jellyfin Android TV", "Plex for iOS", "Chrome"). The first match wins.
   */
  static final String PLATFORM =
      """
      (SELECT CASE
         WHEN p ~ '(android ?tv|shield|fire ?tv|google ?tv)' THEN 'Android TV'
         WHEN p ~ '(apple ?tv|tvos)' THEN 'tvOS'
         WHEN p ~ '(iphone|ipad|\\mios\\M)' THEN 'iOS'
         WHEN p ~ 'android' THEN 'Android'
         WHEN p ~ 'roku' THEN 'Roku'
         WHEN p ~ '(tizen|webos|smart ?tv|samsung)' THEN 'Smart TV'
         WHEN p ~ '(xbox|playstation|\\mps[345]\\M)' THEN 'Console'
         WHEN p ~ 'kodi' THEN 'Kodi'
         WHEN p ~ 'windows' THEN 'Windows'
         WHEN p ~ '(macos|mac ?os|osx)' THEN 'macOS'
         WHEN p ~ 'linux' THEN 'Linux'
         WHEN p ~ '(web|chrome|firefox|safari|edge|browser)' THEN 'Web'
         ELSE 'Other' END
       FROM (SELECT lower(s.client_name || ' ' || s.device_name) AS p) x)""";

  /** group_by name → key expression ({@code %1$s} = the time-zone parameter) */
  static final Map<String, String> DIMENSIONS = new LinkedHashMap<>();

  static {
    DIMENSIONS.put("hour_of_day", "extract(hour FROM " + LOCAL + ")::int::text");
    DIMENSIONS.put("day_of_week", "extract(isodow FROM " + LOCAL + ")::int::text");
    DIMENSIONS.put(
        "weekday_hour",
        "extract(isodow FROM "
            + LOCAL
            + ")::int::text || '-' || lpad(extract(hour FROM "
            + LOCAL
            + ")::int::text, 2, '0')");
    DIMENSIONS.put("platform", PLATFORM);
    DIMENSIONS.put("client", "s.client_name");
    DIMENSIONS.put("device", "s.device_name");
    DIMENSIONS.put("resolution", "COALESCE(NULLIF(s.resolution, ''), 'unknown')");
    DIMENSIONS.put("transcode", "CASE WHEN s.transcoded THEN 'transcode' ELSE 'direct' END");
    DIMENSIONS.put("content_type", "s.content_type");
    DIMENSIONS.put("country", "COALESCE(s.geo_country, 'unknown')");
    DIMENSIONS.put("server", "COALESCE(s.server_id::text, 'none')");
    DIMENSIONS.put("user", "s.user_id::text");
  }

  public static Optional<String> dimension(String groupBy) {
    return DIMENSIONS.containsKey(groupBy) ? Optional.of(groupBy) : Optional.empty();
  }

  public static String names() {
    return String.join(", ", DIMENSIONS.keySet());
  }

  /** every dimension of a session as rows (dim, key): a LATERAL source */
  static String allDimensions(String tzParam) {
    return DIMENSIONS.entrySet().stream()
        .map(e -> "('" + e.getKey() + "', " + e.getValue().formatted(tzParam) + ")")
        .collect(Collectors.joining(",\n  ", "(VALUES ", ")"));
  }

  private static final String COLUMNS =
      "daily_usage (day, dim, key, user_id, plays, watch_seconds, bytes, last_seen)";

  static final String DELETE_DAY = "DELETE FROM daily_usage WHERE day = $1";

  /** $1 the day, $2 and $3 its bounds, $4 the time zone */
  static final String INSERT_DAY =
      """
      INSERT INTO %s
      SELECT $1::date, d.dim, d.key, s.user_id, count(*), sum(s.duration_seconds), sum(s.bytes_transferred),
             max(s.started_at)
      FROM playback_sessions s CROSS JOIN LATERAL %s AS d(dim, key)
      WHERE s.started_at >= $2 AND s.started_at < $3
      GROUP BY d.dim, d.key, s.user_id"""
          .formatted(COLUMNS, allDimensions("$4::text"));

  static final String DELETE_DAYS = "DELETE FROM daily_usage WHERE day >= $1 AND day <= $2";

  /** the back-fill's form: $1 days, $2 their bounds, $3 and $4 the first and last bound, $5 zone */
  static final String INSERT_DAYS =
      """
      INSERT INTO %s
      SELECT ($1::date[])[width_bucket(s.started_at, $2::timestamptz[])], d.dim, d.key, s.user_id, count(*),
             sum(s.duration_seconds), sum(s.bytes_transferred), max(s.started_at)
      FROM playback_sessions s CROSS JOIN LATERAL %s AS d(dim, key)
      WHERE s.started_at >= $3 AND s.started_at < $4
      GROUP BY 1, d.dim, d.key, s.user_id"""
          .formatted(COLUMNS, allDimensions("$5::text"));

  /**
   * One dimension over a range: roll-ups for the past days [$2, $3], raw sessions for today's
   * bounds [$4, $5) (an empty range when today is outside), $6 the zone. Grouped per (key, user) so
   * unique users stay exact.
   */
  static String perKeyAndUser(String groupBy) {
    return """
        SELECT key, user_id, plays, watch_seconds, bytes, last_seen
        FROM daily_usage WHERE dim = $1 AND day >= $2 AND day <= $3
        UNION ALL
        SELECT %s, s.user_id, 1, s.duration_seconds, s.bytes_transferred, s.started_at
        FROM playback_sessions s WHERE s.started_at >= $4 AND s.started_at < $5 AND $6::text IS NOT NULL"""
        .formatted(DIMENSIONS.get(groupBy).formatted("$6::text"));
  }
}
