package io.tracearr.analytics.session;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monthly partitions of playback_sessions (V16): created ahead (the current UTC month and the
 * next {@link #MONTHS_AHEAD}, by the registry's once-per-cluster job) and dropped whole by
 * retention. A partition goes only when its whole month is before the retention cutoff (which the
 * aggregator sets only on days final in the roll-ups) and it holds no open session; its ids leave
 * session_ids first, in batches, then DROP TABLE detaches and removes it at once (no dead rows, a
 * few kB of WAL). The DEFAULT partition is never dropped: its rows go through the batched delete.
 */
final class SessionPartitions {

  static final int MONTHS_AHEAD = 2;
  static final int ID_BATCH = 5000;
  static final String LOCK_TIMEOUT = "5s";
  private static final Logger log = LoggerFactory.getLogger(SessionPartitions.class);

  private static final Pattern MONTHLY = Pattern.compile("playback_sessions_p(\\d{6})");
  private static final DateTimeFormatter YYYYMM = DateTimeFormatter.ofPattern("yyyyMM");

  private static final String ENSURE = "SELECT session_partitions_ensure($1, $2)";

  private static final String MONTHLY_PARTITIONS =
      """
      SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'playback_sessions'::regclass AND c.relname ~ '^playback_sessions_p[0-9]{6}$'
      ORDER BY c.relname""";

  /**
   * keyset over the partition's primary key, each batch one short statement; the first batch starts
   * at the nil uuid inclusive (PostgreSQL orders uuids as unsigned bytes)
   */
  private static final String DELETE_IDS =
      """
      WITH b AS (SELECT id, started_at FROM %1$s WHERE id %2$s $1 ORDER BY id LIMIT $2),
      d AS (DELETE FROM session_ids s USING b WHERE s.id = b.id AND s.started_at = b.started_at RETURNING s.id)
      SELECT (SELECT count(*) FROM b) AS n, (SELECT id FROM b ORDER BY id DESC LIMIT 1) AS last,
             (SELECT count(*) FROM d) AS deleted""";

  private final Pool pool;

  SessionPartitions(Pool pool) {
    this.pool = pool;
  }

  /** Creates the missing partitions from this UTC month to {@link #MONTHS_AHEAD} ahead. */
  Future<Integer> ensureAhead(Instant now) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
    return ensure(today, today.plusMonths(MONTHS_AHEAD));
  }

  Future<Integer> ensure(LocalDate from, LocalDate to) {
    return pool.preparedQuery(ENSURE)
        .execute(Tuple.of(from, to))
        .map(rows -> rows.iterator().next().getInteger(0));
  }

  /**
   * Drops every monthly partition whose month ends at or before {@code before} and that holds no
   * open session; completes with the sessions they held.
   */
  Future<Long> dropBefore(Instant before) {
    return pool.query(MONTHLY_PARTITIONS)
        .execute()
        .compose(
            rows -> {
              List<String> due = new ArrayList<>();
              for (Row r : rows) {
                String name = r.getString(0);
                Matcher m = MONTHLY.matcher(name);
                if (!m.matches()) continue;
                Instant end =
                    YearMonth.parse(m.group(1), YYYYMM)
                        .plusMonths(1)
                        .atDay(1)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
                if (!end.isAfter(before)) due.add(name);
              }
              Future<Long> chain = Future.succeededFuture(0L);
              for (String name : due) chain = chain.compose(n -> drop(name).map(d -> n + d));
              return chain;
            });
  }

  /** 0 and nothing dropped when an open session is in it (the batched delete leaves it too). */
  private Future<Long> drop(String partition) {
    return pool.query("SELECT EXISTS (SELECT 1 FROM " + partition + " WHERE ended_at IS NULL)")
        .execute()
        .compose(
            open -> {
              if (open.iterator().next().getBoolean(0)) return Future.succeededFuture(0L);
              return deleteIds(partition, new UUID(0L, 0L), 0L)
                  .compose(n -> dropTable(partition, n));
            });
  }

  /**
   * DROP TABLE locks the parent exclusively for an instant, but must wait for every statement
   * reading it (a long stats query) while every session statement would queue behind it: it gives
   * up after {@link #LOCK_TIMEOUT}, and the month's rows then go by the batched delete this time.
   */
  private Future<Long> dropTable(String partition, long rows) {
    return pool.withTransaction(
            conn ->
                conn.query("SET LOCAL lock_timeout = '" + LOCK_TIMEOUT + "'")
                    .execute()
                    .compose(v -> conn.query("DROP TABLE IF EXISTS " + partition).execute()))
        .map(v -> rows)
        .recover(
            err -> {
              log.warn("partition {} not dropped this time: {}", partition, err.getMessage());
              return Future.succeededFuture(0L);
            });
  }

  private Future<Long> deleteIds(String partition, UUID after, long soFar) {
    String op =
        soFar == 0 && after.getMostSignificantBits() == 0 && after.getLeastSignificantBits() == 0
            ? ">="
            : ">";
    return pool.preparedQuery(DELETE_IDS.formatted(partition, op))
        .execute(Tuple.of(after, ID_BATCH))
        .compose(
            rows -> {
              Row r = rows.iterator().next();
              long n = r.getLong("n");
              long total = soFar + n;
              if (n < ID_BATCH) return Future.succeededFuture(total);
              return deleteIds(partition, r.getUUID("last"), total);
            });
  }
}
