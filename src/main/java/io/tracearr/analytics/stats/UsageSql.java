package io.tracearr.analytics.stats;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The usage breakdowns (issue 17): what each {@code group_by} dimension's key is, as an SQL
 * expression over a session {@code s}, and the statements that roll them up. One definition serves
 * the roll-up (every dimension at once) and today's live answer (one dimension), so past days and
 * today can never disagree on a key. Tables (V17): {@code usage_day_value} (per day and value:
 * sums) and {@code usage_day_user} (per day and user: sums and each session's keys, for exact
 * unique users). The time zone is a parameter ({@code %1$s} below): hours and weekdays are local to
 * {@code analytics.timezone}.
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

  /** the dimensions of usage_day_value and of usage_day_user.keys, in this order ('user' is not) */
  static final List<String> VALUE_DIMS =
      DIMENSIONS.keySet().stream().filter(d -> !d.equals("user")).toList();

  /** 1-based position of a dimension in usage_day_user.keys */
  static int keyIndex(String dim) {
    return VALUE_DIMS.indexOf(dim) + 1;
  }

  /**
   * The run's sessions, each dimension's key computed once: $1 days, $2 their bounds, $3 and $4 the
   * first and last bound, $5 the zone.
   */
  private static final String RUN_ROWS;

  static {
    // the platform's dozen regular expressions cost more than the rest of the roll-up together when
    // run per session (36 µs a row): they run once per distinct (client, device) pair of the run,
    // joined back by hash
    String platform = "platform";
    String keys =
        IntStream.range(0, VALUE_DIMS.size())
            .mapToObj(
                i ->
                    (VALUE_DIMS.get(i).equals(platform)
                            ? "pf.platform"
                            : DIMENSIONS.get(VALUE_DIMS.get(i)).formatted("$5::text"))
                        + " AS k"
                        + (i + 1))
            .collect(Collectors.joining(",\n       "));
    // OFFSET 0 keeps the platform subquery from being pulled up into the join: pulled up, the
    // platform's expression ran once per session again (usage_day_user at 1 M rows: a SubPlan of
    // 1 000 000 loops, 37 of its 80 s)
    String keyed =
        """
        SELECT %s, %s
        FROM %s
        JOIN (SELECT s.client_name, s.device_name, %s AS platform
              FROM (SELECT DISTINCT client_name, device_name FROM %s) s
              OFFSET 0) pf
          ON pf.client_name = s.client_name AND pf.device_name = s.device_name
        %s""";
    RUN_ROWS =
        keyed.formatted(
            "width_bucket(s.started_at, $2::timestamptz[]) AS b, s.user_id, s.started_at,"
                + " s.duration_seconds AS dur, s.bytes_transferred AS bytes",
            keys,
            "playback_sessions s",
            PLATFORM,
            "playback_sessions WHERE started_at >= $3 AND started_at < $4",
            "WHERE s.started_at >= $3 AND s.started_at < $4");
  }

  /** one family's rows of a run of days: $1 and $2 the first and last day, $3 its dimensions */
  static final String DELETE_VALUE_DIMS =
      "DELETE FROM usage_day_value WHERE day >= $1 AND day <= $2 AND dim = ANY($3::text[])";

  /** the dimensions whose key depends on the session's local hour only */
  private static final List<String> TIME_DIMS =
      List.of("hour_of_day", "day_of_week", "weekday_hour");

  /** the dimensions whose key depends on the client and device names only */
  private static final List<String> DEVICE_DIMS = List.of("platform", "client", "device");

  /** the other dimensions: each summed per (day, its key) straight from the groups */
  private static final List<String> OWN_DIMS =
      VALUE_DIMS.stream().filter(d -> !TIME_DIMS.contains(d) && !DEVICE_DIMS.contains(d)).toList();

  /**
   * One family of usage_day_value's dimensions and the statement that writes its rows for a run of
   * days: $1 the days, $2 their bounds, $3 and $4 the first and last bound, and $5 the time zone
   * when {@code zoned} (only the time family reads it).
   */
  record ValueFamily(String name, String[] dims, String insert, boolean zoned) {}

  /**
   * Every dimension's per-day sums, each key summed as narrowly as it allows: the run's sessions
   * are folded three ways, each a plain {@code GROUP BY} over the run's rows into a small hash: per
   * (day, local hour's start) for the hour, weekday and weekday-hour keys ({@code t}), per (day,
   * client, device) for the platform, client and device keys ({@code d}), per (day, resolution,
   * transcode flag, content type, country, server) for each other key ({@code o}). Each key is then
   * its {@link #DIMENSIONS} expression over a row of its fold ({@code started_at} is the local
   * hour's start, so the time keys come out as the session's own), and rows of one (day, dimension,
   * key) are summed. Every column a {@link #DIMENSIONS} key reads (but user_id) must be grouped in
   * its family's fold. Each family is a statement of its own ({@link #VALUE_FAMILIES}), which
   * deletes and writes only its dimensions' rows, so a back-fill can spread the three over its two
   * connections; one day's roll-up runs them one after the other. Rows are written in the primary
   * key's order.
   *
   * <p>History of earlier forms (issue 16): eleven grouping sets over the sessions sorted 10 M rows
   * once per set (the planner hashes grouping sets only when it expects the tables to fit in
   * memory, and it expects as many hours as sessions); one fold over every key column at once
   * folded the generated shape 7:1 but not imported history (1 M Tautulli sessions over three years
   * made 997 k groups, a 328 MB hash: 28 s of a 47 s import roll-up). Three narrow folds never hold
   * more groups than the widest family has values.
   */
  static final List<ValueFamily> VALUE_FAMILIES;

  static {
    if (TIME_DIMS.size() + DEVICE_DIMS.size() + OWN_DIMS.size() != VALUE_DIMS.size()
        || !VALUE_DIMS.containsAll(TIME_DIMS)
        || !VALUE_DIMS.containsAll(DEVICE_DIMS))
      throw new IllegalStateException("every usage dimension needs its sums");
    String zone = "$5::text";
    // each part sums its own (day, key) rows, so the parts' rows are the answer's: no GROUP BY over
    // all of them (at the import's shape, 1.6 M rows folded into 585 000: 7 of the statement's 41
    // s)
    String part =
        "SELECT s.b, '%s', %s, sum(s.plays), sum(s.dur), sum(s.bytes) FROM %s GROUP BY s.b, %s";
    List<String> timeParts = new ArrayList<>();
    for (String dim : TIME_DIMS) {
      String key = DIMENSIONS.get(dim).formatted(zone);
      timeParts.add(part.formatted(dim, key, "t s", key));
    }
    List<String> deviceParts = new ArrayList<>();
    for (String dim : DEVICE_DIMS) {
      String key = DIMENSIONS.get(dim);
      deviceParts.add(
          dim.equals("platform")
              ? part.formatted(
                  dim,
                  "pf.platform",
                  "d s JOIN pf ON pf.client_name = s.client_name AND pf.device_name = s.device_name",
                  "pf.platform")
              : part.formatted(dim, key, "d s", key));
    }
    List<String> ownParts = new ArrayList<>();
    for (String dim : OWN_DIMS) {
      String key = DIMENSIONS.get(dim);
      ownParts.add(part.formatted(dim, key, "o s", key));
    }
    String fold =
        """
        SELECT width_bucket(started_at, $2::timestamptz[]) AS b, %s,
                 count(*) AS plays, sum(duration_seconds) AS dur, sum(bytes_transferred) AS bytes
          FROM playback_sessions
          WHERE started_at >= $3 AND started_at < $4
          GROUP BY %s""";
    String hourStart =
        "date_trunc('hour', started_at AT TIME ZONE %1$s) AT TIME ZONE %1$s AS started_at"
            .formatted(zone);
    VALUE_FAMILIES =
        List.of(
            family(
                "time",
                TIME_DIMS,
                "t AS MATERIALIZED (\n  %s\n)".formatted(fold.formatted(hourStart, "1, 2")),
                timeParts,
                true),
            family(
                "device",
                DEVICE_DIMS,
                """
                d AS MATERIALIZED (
                  %s
                ), pf AS MATERIALIZED (
                  -- the platform's regular expressions once per (client, device) pair of the run
                  SELECT s.client_name, s.device_name, %s AS platform
                  FROM (SELECT DISTINCT client_name, device_name FROM d) s
                )"""
                    .formatted(fold.formatted("client_name, device_name", "1, 2, 3"), PLATFORM),
                deviceParts,
                false),
            family(
                "own",
                OWN_DIMS,
                "o AS MATERIALIZED (\n  %s\n)"
                    .formatted(
                        fold.formatted(
                            "resolution, transcoded, content_type, geo_country, server_id",
                            "1, 2, 3, 4, 5, 6")),
                ownParts,
                false));
  }

  /**
   * A family's statement: its fold(s) as {@code ctes}, then its parts' rows, written in the primary
   * key's order.
   */
  private static ValueFamily family(
      String name, List<String> dims, String ctes, List<String> parts, boolean zoned) {
    String insert =
        """
        INSERT INTO usage_day_value (day, dim, key, plays, watch_seconds, bytes)
        WITH %s, k (b, dim, key, plays, dur, bytes) AS (
          %s
        )
        SELECT ($1::date[])[b], dim, key, plays, dur, bytes FROM k
        ORDER BY dim, b, key"""
            .formatted(ctes, String.join("\n  UNION ALL ", parts));
    return new ValueFamily(name, dims.toArray(String[]::new), insert, zoned);
  }

  static final String DELETE_USER_DAYS = "DELETE FROM usage_day_user WHERE day >= $1 AND day <= $2";

  /** one row per (day, user): sums, and each session's keys as a row of {@code keys} */
  static final String INSERT_USER_DAYS =
      """
      INSERT INTO usage_day_user (user_id, day, plays, watch_seconds, bytes, last_seen, keys)
      SELECT user_id, ($1::date[])[b], count(*), sum(dur), sum(bytes), max(started_at), array_agg(ARRAY[%s])
      FROM (%s) r
      GROUP BY b, user_id"""
          .formatted(
              IntStream.rangeClosed(1, VALUE_DIMS.size())
                  .mapToObj(i -> "k" + i)
                  .collect(Collectors.joining(", ")),
              RUN_ROWS);

  static final String BUMP_VERSION = "UPDATE rollup_state SET usage_version = usage_version + 1";

  /** the values of dimension {@code dim} in a usage_day_user row {@code p} */
  static String keysOf(String p, String dim) {
    return "(SELECT %1$s.keys[i][%2$d] FROM generate_subscripts(%1$s.keys, 1) i)"
        .formatted(p, keyIndex(dim));
  }
}
