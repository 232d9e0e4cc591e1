package io.tracearr.analytics.session;

import io.tracearr.analytics.api.KeysetCursor;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The history explorer's reads (issue 17), a read-only query object of the session concern:
 * sessions started in a bounded window, filtered, newest first, keyset-paged like a user's history
 * — or the whole filter as a stream of rows for an export.
 *
 * <p>The window is what keeps {@code q} cheap: it is a case-insensitive infix match ({@code ILIKE
 * '%…%'} on the user's name, the title and the device name), which no b-tree can serve; the
 * started_at index (or the user-history index with {@code user_id}) bounds the rows it is tried on,
 * and a page stops at its limit. pg_trgm would index it, and the embedded PostgreSQL ships it, but
 * an external server need not have it, so nothing depends on it.
 */
public final class SessionSearch {

  /** the statuses a session can have */
  public static final List<String> STATUSES =
      List.of("playing", "paused", "buffering", "ended", "timed_out");

  /**
   * One search: sessions started in [from, to); the other fields are optional (null = any). {@code
   * q} is matched as typed (its % and _ are literal).
   */
  public record Filter(
      Instant from,
      Instant to,
      UUID userId,
      UUID serverId,
      String contentType,
      String status,
      String q) {}

  /** names the export's statement in pg_stat_activity (operators, tests) */
  public static final String EXPORT_MARK = "/* session history export */ ";

  /** rows fetched from the cursor per round trip of an export */
  static final int EXPORT_FETCH = 256;

  private final Pool pool;
  private final SessionRepository sessions;

  public SessionSearch(Pool pool, SessionRepository sessions) {
    this.pool = pool;
    this.sessions = sessions;
  }

  /** A page, newest first: {@code limit} rows after {@code before} (null: from the newest). */
  public Future<List<JsonObject>> page(Filter filter, int limit, KeysetCursor before) {
    Query query = query(filter, before, "LIMIT", limit);
    return pool.preparedQuery(query.sql())
        .execute(query.params())
        .map(
            rows -> {
              List<JsonObject> out = new ArrayList<>(rows.size());
              for (Row r : rows) out.add(sessions.toJson(r));
              return out;
            });
  }

  /**
   * Every row of the filter as a stream with a server-side cursor ({@link #EXPORT_FETCH} rows per
   * fetch), on a connection of its own inside a read-only transaction. The caller pauses and
   * resumes the stream as its reader keeps up, and must {@link Export#close} it (also when the
   * reader goes away): that closes the cursor, ends the transaction and returns the connection.
   */
  public Future<Export> export(Filter filter) {
    Query query = query(filter, null, null, 0);
    return pool.getConnection()
        .compose(
            conn ->
                conn.begin()
                    .compose(
                        tx ->
                            conn.prepare(EXPORT_MARK + query.sql())
                                .map(
                                    ps ->
                                        new Export(
                                            conn,
                                            tx,
                                            ps.createStream(EXPORT_FETCH, query.params()),
                                            sessions)))
                    .onFailure(err -> conn.close()));
  }

  /** A running export: its rows, and the way to let go of its connection. */
  public static final class Export {
    private final SqlConnection conn;
    private final Transaction tx;
    private final RowStream<Row> rows;
    private final SessionRepository sessions;
    private boolean closed;
    private Runnable onClose = () -> {};

    Export(SqlConnection conn, Transaction tx, RowStream<Row> rows, SessionRepository sessions) {
      this.conn = conn;
      this.tx = tx;
      this.rows = rows;
      this.sessions = sessions;
    }

    /** runs once, when the export is closed */
    public void onClose(Runnable action) {
      this.onClose = action;
    }

    public RowStream<Row> rows() {
      return rows;
    }

    public JsonObject toJson(Row row) {
      return sessions.toJson(row);
    }

    /** Closes the cursor, rolls the read-only transaction back and returns the connection. */
    public Future<Void> close() {
      if (closed) return Future.succeededFuture();
      closed = true;
      onClose.run();
      return rows.close().transform(v -> tx.rollback()).transform(v -> conn.close());
    }
  }

  private record Query(String sql, Tuple params) {}

  /** Only the filters given become conditions, so each combination keeps its best index. */
  private static Query query(Filter f, KeysetCursor before, String limitWord, int limit) {
    Tuple params = Tuple.tuple();
    List<String> where = new ArrayList<>();
    params.addOffsetDateTime(SessionRepository.utc(f.from()));
    where.add("s.started_at >= $" + params.size());
    params.addOffsetDateTime(SessionRepository.utc(f.to()));
    where.add("s.started_at < $" + params.size());
    if (f.userId() != null) {
      params.addUUID(f.userId());
      where.add("s.user_id = $" + params.size());
    }
    if (f.serverId() != null) {
      params.addUUID(f.serverId());
      where.add("s.server_id = $" + params.size());
    }
    if (f.contentType() != null) {
      params.addString(f.contentType());
      where.add("s.content_type = $" + params.size());
    }
    if (f.status() != null) {
      params.addString(f.status());
      where.add("s.status = $" + params.size());
    }
    if (f.q() != null) {
      params.addString("%" + UserQueries.likeEscaped(f.q()) + "%");
      String p = "$" + params.size();
      where.add(
          "(u.name ILIKE %1$s OR s.content_title ILIKE %1$s OR c.title ILIKE %1$s OR s.device_name ILIKE %1$s)"
              .formatted(p));
    }
    if (before != null) {
      params.addOffsetDateTime(SessionRepository.utc(before.at()));
      params.addUUID(before.id());
      where.add("(s.started_at, s.id) < ($" + (params.size() - 1) + ", $" + params.size() + ")");
    }
    String sql =
        "SELECT "
            + SessionRepository.COLUMNS
            + " FROM "
            + SessionRepository.NAMED
            + " WHERE "
            + String.join(" AND ", where)
            + " ORDER BY s.started_at DESC, s.id DESC";
    if (limitWord != null) {
      params.addInteger(limit);
      sql += " LIMIT $" + params.size();
    }
    return new Query(sql, params);
  }
}
