package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.StatsCalendar.utc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The usage reads of issue 17 ({@code stats/plays}, {@code stats/top-users}, {@code
 * stats/bandwidth}). An answer is its past days (from usage_day_value and usage_day_user, so their
 * cost never grows with raw sessions) plus today, live from the raw sessions that started today.
 * The past part is cached per (query, usage version): the version (rollup_state.usage_version)
 * moves in the transaction that rewrites past days, and every answer reads it in the same statement
 * as today's live part, so an answer includes every start and end committed before it was asked and
 * never mixes two versions of the past.
 *
 * <p>Merging stays exact. Sums add up. Unique users of a value = the past's + today's users of it
 * not seen with it in the past days (looked up per user in usage_day_user). Users (group_by=user,
 * top-users, bandwidth per user): the past's top {@code limit}, with today's users' totals over the
 * whole range replacing or joining them; a user outside the past's top who did not play today
 * cannot overtake one inside it (totals only grow, the order is the same), so the top is exact.
 */
public final class UsageRepository {

  /** the dimensions whose keys are ordinal (hours, weekdays): answered in key order */
  private static final List<String> ORDINAL = List.of("hour_of_day", "day_of_week", "weekday_hour");

  /** cached past parts per repository (one per gateway instance); least recently used go first */
  static final int CACHE_ENTRIES = 256;

  private static final String PAST_WORK_MEM = "SET LOCAL work_mem = '256MB'";

  private static final String VERSION = "(SELECT usage_version AS version FROM rollup_state)";

  /** $1 dim, $2 and $3 the past days */
  private static final String PAST_VALUES =
      """
      WITH sums AS (
        SELECT key, sum(plays)::bigint AS plays, sum(watch_seconds)::float8 AS seconds, sum(bytes)::bigint AS bytes
        FROM usage_day_value WHERE dim = $1 AND day >= $2 AND day <= $3 GROUP BY key
      ), users AS (
        SELECT key, count(*) AS users FROM (
          SELECT DISTINCT k AS key, p.user_id
          FROM usage_day_user p CROSS JOIN LATERAL %s AS x(k)
          WHERE p.day >= $2 AND p.day <= $3) pairs
        GROUP BY key
      ), g AS (
        SELECT s.key, s.plays, s.seconds, s.bytes, COALESCE(u.users, 0) AS users, NULL::timestamptz AS last_seen
        FROM sums s LEFT JOIN users u USING (key)
      )
      SELECT v.version, g.*, %s AS name FROM %s v LEFT JOIN g ON true""";

  /** $1 unused (dim), $2 and $3 the past days, $4 limit */
  private static final String PAST_USERS =
      """
      WITH g AS (
        SELECT user_id::text AS key, sum(plays)::bigint AS plays, sum(watch_seconds)::float8 AS seconds,
               sum(bytes)::bigint AS bytes, 1::bigint AS users, max(last_seen) AS last_seen
        FROM usage_day_user WHERE day >= $2 AND day <= $3 AND $1::text IS NOT NULL
        GROUP BY user_id ORDER BY %s LIMIT $4::int
      )
      SELECT v.version, g.*, %s AS name FROM %s v LEFT JOIN g ON true""";

  /**
   * Today's sums, live, by one dimension: $1 and $2 today's bounds (an empty range when today is
   * outside the asked range), $3 the zone. Cheap (one pass over today's sessions); what moves with
   * every heartbeat.
   */
  private static final String TODAY_SUMS =
      """
      WITH t AS (
        SELECT %s AS key, s.duration_seconds AS dur, s.bytes_transferred AS bytes
        FROM playback_sessions s WHERE s.started_at >= $1 AND s.started_at < $2 AND $3::text IS NOT NULL
      ), g AS (
        SELECT key, count(*) AS plays, sum(dur)::float8 AS seconds, sum(bytes)::bigint AS bytes, 0::bigint AS users,
               NULL::timestamptz AS last_seen
        FROM t GROUP BY key
      )
      SELECT v.version, g.*, %s AS name FROM %s v LEFT JOIN g ON true""";

  /**
   * Today's users of each value not seen with it in the past days: $1 and $2 today's bounds, $3 and
   * $4 the past days, $5 the zone. The costly part of today (0.94 s at 83 000 users today), and it
   * moves only when a session starts or the past days are rewritten, not with heartbeats: kept
   * until then ({@link #todayUsersSeen}).
   */
  private static final String TODAY_NEW_USERS =
      """
      WITH t AS (
        SELECT DISTINCT %s AS key, s.user_id
        FROM playback_sessions s WHERE s.started_at >= $1 AND s.started_at < $2 AND $5::text IS NOT NULL
      ), g AS (
        -- one probe of usage_day_user's key (user_id, day) per today pair, stopping at the first past day
        -- that had the key: as NOT EXISTS the planner hashed the whole range instead (6.5 M rows, 17 s at
        -- the benchmark's 10 M sessions with 83 000 users today; this form 0.94 s)
        SELECT u.key, 0::bigint AS plays, 0::float8 AS seconds, 0::bigint AS bytes, count(*) AS users,
               NULL::timestamptz AS last_seen
        FROM t u
        LEFT JOIN LATERAL (SELECT 1 AS seen FROM usage_day_user p
                           WHERE p.user_id = u.user_id AND p.day >= $3 AND p.day <= $4 AND u.key = ANY %s
                           LIMIT 1) x ON true
        WHERE x.seen IS NULL
        GROUP BY u.key
      )
      SELECT v.version, g.*, NULL::text AS name FROM %s v LEFT JOIN g ON true""";

  /**
   * The past part of a user ranking holds this many users beyond the answer's limit: the more it
   * holds, the fewer of today's users can still reach the answer (see {@link #TODAY_USERS}).
   */
  static final int PAST_USERS_MARGIN = 500;

  /**
   * Today's users who can reach the answer, with their totals over the whole range (past days +
   * today). $1-$2 today's bounds, $3-$4 the past days, $5 the zone, $6 the answer's limit; from the
   * node's cached past part (the best {@code limit + PAST_USERS_MARGIN} users of the past days, in
   * the answer's order): $7 their keys, $8 their past figure in the order's first column, $9 the
   * most any other user can have had in the past days (the last one's figure when the part is full,
   * else 0: every user with past days is in it).
   *
   * <p>Only a bounded set of today's users gets its past days looked up: the past part's users who
   * played today (their cached figures miss today), and any other whose today, on top of $9,
   * reaches the figure of the answer's last place among the past part's users with today added
   * ({@code thr}, exact). Any other user is below at least {@code limit} users of the past part, so
   * never in the answer. At 83 000 users today the lookups of every one of them took 1-2.6 s per
   * answer (benchmark scenario 9, session 8).
   */
  private static final String TODAY_USERS =
      """
      WITH t AS (
        SELECT s.user_id, count(*) AS plays, sum(s.duration_seconds)::float8 AS seconds,
               sum(s.bytes_transferred)::bigint AS bytes, max(s.started_at) AS last_seen
        FROM playback_sessions s WHERE s.started_at >= $1 AND s.started_at < $2 AND $5::text IS NOT NULL
        GROUP BY s.user_id
      ), k AS (
        SELECT k.key::uuid AS user_id, k.m FROM unnest($7::text[], $8::float8[]) AS k(key, m)
      ), thr AS (
        SELECT k.m + COALESCE(t.%1$s, 0) AS m FROM k LEFT JOIN t USING (user_id)
        ORDER BY 1 DESC OFFSET $6::int - 1 LIMIT 1
      ), c AS (
        SELECT t.* FROM t
        WHERE t.user_id IN (SELECT user_id FROM k)
           OR t.%1$s::float8 + $9::float8 >= COALESCE((SELECT m FROM thr), '-infinity'::float8)
      ), g AS (
        SELECT t.user_id::text AS key, t.plays + COALESCE(p.plays, 0) AS plays,
               t.seconds + COALESCE(p.seconds, 0) AS seconds, t.bytes + COALESCE(p.bytes, 0) AS bytes,
               1::bigint AS users, GREATEST(t.last_seen, p.last_seen) AS last_seen
        FROM c AS t LEFT JOIN LATERAL (
          SELECT sum(plays)::bigint AS plays, sum(watch_seconds)::float8 AS seconds, sum(bytes)::bigint AS bytes,
                 max(last_seen) AS last_seen
          FROM usage_day_user p WHERE p.user_id = t.user_id AND p.day >= $3 AND p.day <= $4) p ON true
      ), r AS (
        -- only what can be in the answer leaves the database: the best $6 of those users over the range,
        -- and the past part's users who played today (their cached figures are stale)
        (SELECT * FROM g ORDER BY %2$s LIMIT $6::int)
        UNION
        SELECT * FROM g WHERE g.key = ANY($7::text[])
      )
      SELECT v.version, g.*, %3$s AS name FROM %4$s v LEFT JOIN r AS g ON true""";

  private static final String BYTES_PER_DAY =
      """
      SELECT day, sum(bytes)::bigint AS bytes FROM usage_day_value
      WHERE dim = 'transcode' AND day >= $1 AND day <= $2 GROUP BY day""";

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

  /** rows of a query and the usage version they were read at */
  private record Part(long version, List<Group> groups) {}

  private final Pool pool;
  private final StatsCalendar calendar;

  /**
   * What the node's gateway instances share (keyed by the node's pool): every part below costs
   * seconds at millions of user-days, so each is computed once per node, not once per event loop.
   */
  private record Shared(
      Map<String, Future<Part>> pastParts,
      Map<String, Counted> newUsers,
      java.util.concurrent.atomic.AtomicLong lastVersion,
      FreshAnswers answers) {

    Shared() {
      this(
          new ConcurrentHashMap<>(),
          new ConcurrentHashMap<>(),
          new java.util.concurrent.atomic.AtomicLong(-1),
          new FreshAnswers(ANSWER_MAX_AGE, ANSWER_ENTRIES, ANSWER_BYTES));
    }
  }

  private static final Map<Pool, Shared> SHARED = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * (query, version) → past part, shared by the node's gateway instances: computed once per node
   * and version. A failed computation is dropped; past the bound the cache starts again empty.
   */
  private final Map<String, Future<Part>> cache;

  /** a today part and when its computation started ({@link FreshAnswers#mark}) */
  private record Counted(long mark, Future<Part> part) {}

  /**
   * How long today's new users per value are kept when no change is heard of: the bound if a
   * start's event were lost (with its event: the first read after it recomputes them).
   */
  static final Duration NEW_USERS_MAX_AGE = Duration.ofSeconds(30);

  /** (query, today, version) → today's new users per value, shared like the past parts */
  private final Map<String, Counted> newUsers;

  /**
   * the usage version of the last today part read on this node (-1: none yet): where past parts are
   * looked up. Shared by the node's gateway instances like the past parts themselves: one kept per
   * instance made each instance's first read miss the cached past part and compute it again (2.5 s
   * at 10 M sessions, during benchmark scenario 9's load)
   */
  private final java.util.concurrent.atomic.AtomicLong lastVersion;

  /** encoded answers kept per node, and their bytes (body + gzip) */
  static final int ANSWER_ENTRIES = 512;

  static final long ANSWER_BYTES = 32L * 1024 * 1024;

  /**
   * How old a whole answer may be when served: a heartbeat's bytes and duration show at most this
   * long (plus one computation) after they were committed, a start or an end on another node at
   * most this long after it was committed if its event were lost (with its event: on the first read
   * after it). As {@code StatsRoutes.LIVE_MAX_AGE}: at 1 s, today's part of each cached answer
   * (0.1-1.1 s at 87 000 sessions today) was recomputed back to back under steady reads.
   */
  public static final Duration ANSWER_MAX_AGE = Duration.ofSeconds(5);

  /** whole encoded answers, shared by the node's gateway instances like the past parts */
  private final FreshAnswers answers;

  public UsageRepository(Pool pool, StatsCalendar calendar) {
    this.pool = pool;
    this.calendar = calendar;
    Shared shared = SHARED.computeIfAbsent(pool, p -> new Shared());
    this.cache = shared.pastParts();
    this.newUsers = shared.newUsers();
    this.lastVersion = shared.lastVersion();
    this.answers = shared.answers();
  }

  public StatsCalendar calendar() {
    return calendar;
  }

  /**
   * The node's cache of whole encoded answers (the gateway encodes them and calls {@link
   * FreshAnswers#changed} on every start, end and completed roll-up it hears of).
   */
  public FreshAnswers answers() {
    return answers;
  }

  /** the node's answers cache, for tests */
  static FreshAnswers answersOf(Pool pool) {
    Shared shared = SHARED.get(pool);
    return shared == null ? null : shared.answers();
  }

  /** how the answer is ordered */
  private enum Order {
    KEY(
        Comparator.comparing((Group g) -> g.key().length()).thenComparing(Group::key),
        "length(user_id::text), user_id::text COLLATE \"C\"",
        "length(key), key COLLATE \"C\"",
        null,
        null),
    PLAYS(
        Comparator.comparingLong(Group::plays)
            .reversed()
            .thenComparing(Comparator.comparingDouble(Group::watchSeconds).reversed())
            .thenComparing(Group::key),
        "sum(plays) DESC, sum(watch_seconds) DESC, user_id::text COLLATE \"C\"",
        "plays DESC, seconds DESC, key COLLATE \"C\"",
        "plays",
        Group::plays),
    WATCH_TIME(
        Comparator.comparingDouble(Group::watchSeconds)
            .reversed()
            .thenComparing(Comparator.comparingLong(Group::plays).reversed())
            .thenComparing(Group::key),
        "sum(watch_seconds) DESC, sum(plays) DESC, user_id::text COLLATE \"C\"",
        "seconds DESC, plays DESC, key COLLATE \"C\"",
        "seconds",
        Group::watchSeconds),
    BYTES(
        Comparator.comparingLong(Group::bytes).reversed().thenComparing(Group::key),
        "sum(bytes) DESC, user_id::text COLLATE \"C\"",
        "bytes DESC, key COLLATE \"C\"",
        "bytes",
        Group::bytes);

    final Comparator<Group> comparator;

    /**
     * the same order in SQL (keys compared byte-wise, as Java compares them), over usage_day_user
     * grouped by user
     */
    final String sql;

    /** the same order over a query's groups (columns key, plays, seconds, bytes) */
    final String groupsSql;

    /**
     * the order's first column over a query's groups, and that figure of a group: a ranking of
     * users falls first on it (null: not an order of users)
     */
    final String metricColumn;

    final ToDoubleFunction<Group> metric;

    Order(
        Comparator<Group> comparator,
        String sql,
        String groupsSql,
        String metricColumn,
        ToDoubleFunction<Group> metric) {
      this.comparator = comparator;
      this.sql = sql;
      this.groupsSql = groupsSql;
      this.metricColumn = metricColumn;
      this.metric = metric;
    }
  }

  /**
   * Sessions started in [start, end] grouped by {@code groupBy} (a name of {@link
   * UsageSql#DIMENSIONS}): the {@code limit} largest groups (by plays), or every hour/weekday in
   * order.
   */
  public Future<List<Group>> plays(String groupBy, LocalDate start, LocalDate end, int limit) {
    Order order =
        ORDINAL.contains(groupBy)
            ? Order.KEY
            : groupBy.equals("user") ? Order.WATCH_TIME : Order.PLAYS;
    return grouped(groupBy, start, end, order, limit);
  }

  /** Users ranked by watch time over [start, end]. */
  public Future<List<Group>> topUsers(LocalDate start, LocalDate end, int limit) {
    return grouped("user", start, end, Order.WATCH_TIME, limit);
  }

  /** Users ranked by bytes over [start, end]. */
  public Future<List<Group>> bandwidthByUser(LocalDate start, LocalDate end, int limit) {
    return grouped("user", start, end, Order.BYTES, limit);
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
      String groupBy, LocalDate start, LocalDate end, Order order, int limit) {
    LocalDate today = calendar.today();
    OffsetDateTime liveFrom = utc(calendar.start(today));
    OffsetDateTime liveTo =
        StatsRepository.within(today, start, end) ? utc(calendar.end(today)) : liveFrom;
    LocalDate pastEnd = min(end, today.minusDays(1));
    boolean users = groupBy.equals("user");
    String name = nameOf(groupBy);
    String zone = calendar.zone().getId();
    String dimension = users ? null : UsageSql.DIMENSIONS.get(groupBy);
    String todaySql =
        users
            ? TODAY_USERS.formatted(order.metricColumn, order.groupsSql, name, VERSION)
            : TODAY_SUMS.formatted(dimension.formatted("$3::text"), name, VERSION);
    Tuple todayArgs =
        users ? Tuple.of(liveFrom, liveTo, start, pastEnd, zone) : Tuple.of(liveFrom, liveTo, zone);
    String pastSql =
        users
            ? PAST_USERS.formatted(order.sql, name, VERSION)
            : PAST_VALUES.formatted(UsageSql.keysOf("p", groupBy), name, VERSION);
    int pastLimit = limit + PAST_USERS_MARGIN;
    Tuple pastArgs =
        users ? Tuple.of(groupBy, start, pastEnd, pastLimit) : Tuple.of(groupBy, start, pastEnd);
    String pastKey = groupBy + "|" + start + "|" + pastEnd + "|" + order + "|" + limit;
    boolean hasPast = !pastEnd.isBefore(start);
    Future<Part[]> read =
        users
            ? usersAnswer(
                todaySql, todayArgs, limit, pastLimit, order, pastSql, pastArgs, pastKey, hasPast,
                3)
            : answer(
                () ->
                    todayValues(
                        todaySql,
                        todayArgs,
                        TODAY_NEW_USERS.formatted(
                            dimension.formatted("$5::text"),
                            UsageSql.keysOf("p", groupBy),
                            VERSION),
                        Tuple.of(liveFrom, liveTo, start, pastEnd, zone),
                        groupBy + "|" + start + "|" + pastEnd + "|" + liveFrom + "|" + liveTo,
                        2),
                pastSql,
                pastArgs,
                pastKey,
                hasPast,
                3);
    return read.map(
        parts -> {
          Map<String, Group> merged = new HashMap<>();
          for (Group g : parts[0].groups()) merged.put(g.key(), g);
          for (Group t : parts[1].groups()) {
            Group p = merged.get(t.key());
            // a user's live row already holds the whole range's totals
            merged.put(t.key(), users || p == null ? t : add(p, t));
          }
          return merged.values().stream()
              .map(g -> relabel(groupBy, g))
              .sorted(order.comparator)
              .limit(limit)
              .toList();
        });
  }

  /** [past, today], both read at one usage version */
  private Future<Part[]> answer(
      Supplier<Future<Part>> todayPart,
      String pastSql,
      Tuple pastArgs,
      String pastKey,
      boolean hasPast,
      int attempts) {
    return todayPart
        .get()
        .compose(
            today -> {
              if (!hasPast)
                return Future.succeededFuture(new Part[] {new Part(0, List.of()), today});
              return past(pastSql, pastArgs, pastKey, today.version())
                  .compose(
                      past ->
                          past.version() == today.version() || attempts <= 1
                              ? Future.succeededFuture(new Part[] {past, today})
                              // the past days were rewritten between the two reads: read today
                              // again at the new version
                              : answer(todayPart, pastSql, pastArgs, pastKey, true, attempts - 1));
            });
  }

  /**
   * Today by one dimension: the sums, read now, and each value's new users, kept from an earlier
   * read while no session started or ended and no roll-up completed since (heartbeats move the
   * sums, never the users) and for at most {@link #NEW_USERS_MAX_AGE}; both at one usage version.
   */
  private Future<Part> todayValues(
      String sumsSql,
      Tuple sumsArgs,
      String usersSql,
      Tuple usersArgs,
      String usersKey,
      int attempts) {
    return read(sumsSql, sumsArgs)
        .compose(
            sums ->
                todayUsersSeen(usersSql, usersArgs, usersKey + "@" + sums.version())
                    .compose(
                        seen -> {
                          if (seen.version() != sums.version() && attempts > 1) {
                            // a roll-up completed between the two reads
                            newUsers.remove(usersKey + "@" + sums.version());
                            return todayValues(
                                sumsSql, sumsArgs, usersSql, usersArgs, usersKey, attempts - 1);
                          }
                          Map<String, Long> count = new HashMap<>();
                          for (Group g : seen.groups()) count.put(g.key(), g.uniqueUsers());
                          List<Group> out = new ArrayList<>(sums.groups().size());
                          for (Group g : sums.groups())
                            out.add(
                                new Group(
                                    g.key(),
                                    g.label(),
                                    g.plays(),
                                    g.watchSeconds(),
                                    count.getOrDefault(g.key(), 0L),
                                    g.bytes(),
                                    g.lastSeen()));
                          return Future.succeededFuture(new Part(sums.version(), out));
                        }));
  }

  /** the new users of today's values, computed after the last change this node heard of */
  private Future<Part> todayUsersSeen(String sql, Tuple args, String key) {
    Counted kept = newUsers.get(key);
    if (kept != null
        && !kept.part().failed()
        && answers.unchangedSince(kept.mark(), NEW_USERS_MAX_AGE)) return here(kept.part());
    long mark = answers.mark();
    Future<Part> part = read(sql, args);
    if (newUsers.size() >= CACHE_ENTRIES) newUsers.clear();
    newUsers.put(key, new Counted(mark, part));
    return part;
  }

  /** completes on the caller's context (a shared future may complete on another event loop) */
  private static <T> Future<T> here(Future<T> shared) {
    if (shared.isComplete()) return shared;
    Context here = Vertx.currentContext();
    if (here == null) return shared;
    Promise<T> local = Promise.promise();
    shared.onComplete(ar -> here.runOnContext(v -> local.handle(ar)));
    return local.future();
  }

  /**
   * [past, today] for users: the past part first (cached, at the last version this repository
   * read), so that today's statement returns only the rows that can be in the answer (at 83 000
   * users today, every one of them decoded and sorted on an event loop each time today's part was
   * recomputed); both at one usage version, as {@link #answer}.
   */
  private Future<Part[]> usersAnswer(
      String todaySql,
      Tuple todayArgs,
      int limit,
      int pastLimit,
      Order order,
      String pastSql,
      Tuple pastArgs,
      String pastKey,
      boolean hasPast,
      int attempts) {
    Future<Part> pastPart =
        hasPast
            ? past(pastSql, pastArgs, pastKey, lastVersion.get())
            : Future.succeededFuture(new Part(0, List.of()));
    return pastPart.compose(
        past -> {
          List<Group> pastGroups = past.groups();
          String[] pastKeys = pastGroups.stream().map(Group::key).toArray(String[]::new);
          Double[] pastFigures =
              pastGroups.stream().map(g -> order.metric.applyAsDouble(g)).toArray(Double[]::new);
          // the most a user outside the past part had: the part's lowest figure when it is full
          double beyond =
              pastGroups.size() >= pastLimit
                  ? pastGroups.stream().mapToDouble(order.metric).min().orElse(0)
                  : 0;
          List<Object> args = new ArrayList<>(9);
          for (int i = 0; i < todayArgs.size(); i++) args.add(todayArgs.getValue(i));
          args.add(limit);
          args.add(pastKeys);
          args.add(pastFigures);
          args.add(beyond);
          return read(todaySql, Tuple.from(args))
              .compose(
                  today -> {
                    lastVersion.set(today.version());
                    return !hasPast || past.version() == today.version() || attempts <= 1
                        ? Future.succeededFuture(new Part[] {past, today})
                        // the past days were rewritten since the cached past part: again at the
                        // new version
                        : usersAnswer(
                            todaySql,
                            todayArgs,
                            limit,
                            pastLimit,
                            order,
                            pastSql,
                            pastArgs,
                            pastKey,
                            true,
                            attempts - 1);
                  });
        });
  }

  private Future<Part> past(String sql, Tuple args, String key, long version) {
    String cacheKey = key + "@" + version;
    Future<Part> shared = cache.get(cacheKey);
    if (shared == null) {
      if (cache.size() >= CACHE_ENTRIES) cache.clear();
      Promise<Part> mine = Promise.promise();
      shared = cache.putIfAbsent(cacheKey, mine.future());
      if (shared == null) {
        shared = mine.future();
        // one statement at a larger work_mem: the distinct (value, user) pairs of a range are
        // hashed in memory instead of sorted on disk
        pool.withTransaction(
                conn ->
                    conn.query(PAST_WORK_MEM)
                        .execute()
                        .compose(v -> read(conn.preparedQuery(sql).execute(args))))
            .onComplete(
                ar -> {
                  if (ar.failed() || ar.result().version() != version) cache.remove(cacheKey);
                  if (ar.succeeded())
                    cache.put(
                        key + "@" + ar.result().version(), Future.succeededFuture(ar.result()));
                  mine.handle(ar);
                });
      }
    }
    // computed on another instance's event loop: complete on this one
    return here(shared);
  }

  private Future<Part> read(String sql, Tuple args) {
    return read(pool.preparedQuery(sql).execute(args));
  }

  private static Future<Part> read(Future<RowSet<Row>> query) {
    return query.map(
        rows -> {
          long version = 0;
          List<Group> out = new ArrayList<>();
          for (Row r : rows) {
            version = r.getLong("version");
            String key = r.getString("key");
            if (key == null) continue; // the version row alone: no group
            OffsetDateTime last = r.getOffsetDateTime("last_seen");
            out.add(
                new Group(
                    key,
                    r.getString("name"),
                    r.getLong("plays"),
                    r.getDouble("seconds"),
                    r.getLong("users"),
                    r.getLong("bytes"),
                    last == null ? null : last.toInstant()));
          }
          return new Part(version, out);
        });
  }

  private static Group add(Group a, Group b) {
    Instant last =
        a.lastSeen() == null
            ? b.lastSeen()
            : b.lastSeen() == null || a.lastSeen().isAfter(b.lastSeen())
                ? a.lastSeen()
                : b.lastSeen();
    return new Group(
        a.key(),
        a.label() != null ? a.label() : b.label(),
        a.plays() + b.plays(),
        a.watchSeconds() + b.watchSeconds(),
        a.uniqueUsers() + b.uniqueUsers(),
        a.bytes() + b.bytes(),
        last);
  }

  /** the label field carries the database name until here */
  private static Group relabel(String groupBy, Group g) {
    return new Group(
        g.key(),
        label(groupBy, g.key(), g.label()),
        g.plays(),
        g.watchSeconds(),
        g.uniqueUsers(),
        g.bytes(),
        g.lastSeen());
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
