package io.tracearr.analytics.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.api.Page;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.session.SessionSearch;
import io.tracearr.analytics.stats.StatsCalendar;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /analytics/sessions/history} (issue 17): the history explorer, as keyset-paged JSON
 * or, with {@code Accept: text/csv} or {@code format=csv}, the whole filter as CSV.
 *
 * <p>The CSV is streamed: rows come from a server-side cursor ({@link SessionSearch#export}) and
 * are written as they come; when the response's write queue is full the cursor is paused until it
 * drains, so memory stays constant whatever the row count and however slowly the client reads. A
 * client that goes away closes the cursor and returns the connection at once.
 */
public final class HistoryRoutes {

  private static final Logger log = LoggerFactory.getLogger(HistoryRoutes.class);

  /** the default window when start/end are not given, in days ending today */
  static final int DEFAULT_DAYS = 30;

  /**
   * CSV exports one gateway instance streams at once: each holds a pooled connection for as long as
   * its reader takes, so more would starve the API (the pool has 8 by default, two instances).
   */
  static final int MAX_EXPORTS = 2;

  private int exports;

  /** CSV text gathered before one write to the response */
  private static final int CHUNK_CHARS = 32 * 1024;

  private static final Set<String> CONTENT_TYPES =
      Set.of("movie", "episode", "track", "live", "other");

  /** the CSV columns: the session JSON's fields, nested ones as {@code parent.child} */
  static final List<String> COLUMNS =
      List.of(
          "id",
          "user_id",
          "user_name",
          "content_type",
          "content_id",
          "content_title",
          "started_at",
          "ended_at",
          "duration_seconds",
          "position_seconds",
          "client_name",
          "device_name",
          "device_id",
          "device_key",
          "ip_address",
          "transcoded",
          "resolution",
          "bandwidth_kbps",
          "bytes_transferred",
          "status",
          "last_heartbeat_at",
          "ended_reason",
          "server_id",
          "server_name",
          "location.city",
          "location.country",
          "location.latitude",
          "location.longitude",
          "location.accuracy_km",
          "content.title",
          "content.series_title",
          "content.season_number",
          "content.episode_number",
          "content.year",
          "content.duration_seconds");

  private static final CSVFormat CSV = CSVFormat.RFC4180.builder().get();

  private final SessionSearch search;
  private final StatsCalendar calendar;
  private final Counter exportedRows;

  public HistoryRoutes(SessionSearch search, StatsCalendar calendar, MeterRegistry registry) {
    this.search = search;
    this.calendar = calendar;
    this.exportedRows =
        Counter.builder("analytics_history_export_rows")
            .description("Session rows written to CSV exports of the history")
            .register(registry);
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of("searchSessionHistory", this::history);
  }

  private void history(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    SessionSearch.Filter filter = filter(rc, who);
    String format = rc.queryParams().get("format");
    if (format != null && !format.equals("json") && !format.equals("csv"))
      throw Problem.validation("format", "must be json or csv");
    String accept = rc.request().getHeader("Accept");
    boolean csv =
        "csv".equals(format)
            || (format == null && accept != null && accept.toLowerCase().contains("text/csv"));
    int limit = RequestParams.intParam(rc, "limit", 50, 1, 500);
    KeysetCursor before = KeysetCursor.decode(rc.queryParams().get("before"));
    if (csv) {
      export(rc, filter);
      return;
    }
    search
        .page(filter, limit + 1, before)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else HttpReplies.json(rc, 200, Page.of(ar.result(), limit, "started_at"));
            });
  }

  private SessionSearch.Filter filter(RoutingContext rc, Principal who) {
    LocalDate today = calendar.today();
    LocalDate end = date(rc, "end", today);
    LocalDate start = date(rc, "start", end.minusDays(DEFAULT_DAYS - 1L));
    if (start.isAfter(end)) throw Problem.validation("start", "must not be after end");
    if (ChronoUnit.DAYS.between(start, end) + 1 > StatsRoutes.MAX_RANGE_DAYS)
      throw Problem.validation(
          "end", "the range may span at most " + StatsRoutes.MAX_RANGE_DAYS + " days");
    UUID user = RequestParams.optionalUuid(rc, "user_id");
    if (!who.canReadAll()) {
      if (user != null && !user.equals(who.userId()))
        throw Problem.forbidden("A user token may only read its own sessions");
      user = who.userId();
    }
    UUID server = RequestParams.optionalUuid(rc, "server_id");
    String contentType = RequestParams.optionalOneOf(rc, "content_type", CONTENT_TYPES);
    String status = RequestParams.optionalOneOf(rc, "status", Set.copyOf(SessionSearch.STATUSES));
    String q = rc.queryParams().get("q");
    if (q != null) {
      q = q.strip();
      if (q.isEmpty()) q = null;
      else if (q.length() > 200) throw Problem.validation("q", "must be at most 200 characters");
      else if (q.chars().anyMatch(c -> c < 0x20 || c == 0x7f))
        throw Problem.validation("q", "must not contain control characters");
    }
    return new SessionSearch.Filter(
        calendar.start(start), calendar.end(end), user, server, contentType, status, q);
  }

  private static LocalDate date(RoutingContext rc, String name, LocalDate dflt) {
    String v = rc.queryParams().get(name);
    if (v == null || v.isEmpty()) return dflt;
    try {
      return RequestParams.isoDate(v.trim());
    } catch (DateTimeParseException e) {
      throw Problem.validation(name, "must be a date YYYY-MM-DD");
    }
  }

  /** Streams the filter as CSV; see the class comment for the back-pressure and the abort. */
  private void export(RoutingContext rc, SessionSearch.Filter filter) {
    HttpServerResponse response = rc.response();
    if (exports >= MAX_EXPORTS) {
      throw Problem.unavailable(
          "Too many CSV exports are running on this node ("
              + MAX_EXPORTS
              + " per gateway instance)");
    }
    exports++;
    search
        .export(filter)
        .onComplete(
            ar -> {
              if (ar.failed()) exports--;
            })
        .onFailure(err -> rc.fail(DatabaseErrors.toProblem(err)))
        .onSuccess(
            export -> {
              export.onClose(() -> exports--);
              if (response.closed() || response.ended()) {
                export.close();
                return;
              }
              StringBuilder text = new StringBuilder(CHUNK_CHARS + 4096);
              CSVPrinter printer;
              try {
                printer = new CSVPrinter(text, CSV);
                printer.printRecord(COLUMNS);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              response
                  .setStatusCode(200)
                  .setChunked(true)
                  .putHeader("Content-Type", "text/csv; charset=utf-8")
                  .putHeader("Content-Disposition", "attachment; filename=\"sessions.csv\"");
              // the client went away (or the connection broke): stop the query, free the connection
              response.closeHandler(v -> export.close());
              response.exceptionHandler(err -> export.close());
              List<Object> values = new ArrayList<>(COLUMNS.size());
              export
                  .rows()
                  .exceptionHandler(
                      err -> {
                        export.close();
                        log.warn("history export failed: {}", err.toString());
                        // the status line is out: only cutting the connection tells the client
                        if (!response.ended()) response.reset();
                      })
                  .endHandler(
                      v -> {
                        export.close();
                        if (!response.ended() && !response.closed())
                          response.end(Buffer.buffer(text.toString()));
                      })
                  .handler(
                      row -> {
                        JsonObject session = export.toJson(row);
                        values.clear();
                        for (String column : COLUMNS) values.add(value(session, column));
                        try {
                          printer.printRecord(values);
                        } catch (IOException e) {
                          throw new UncheckedIOException(e);
                        }
                        exportedRows.increment();
                        if (text.length() >= CHUNK_CHARS && !response.closed()) {
                          response.write(Buffer.buffer(text.toString()));
                          text.setLength(0);
                          if (response.writeQueueFull()) {
                            export.rows().pause();
                            response.drainHandler(d -> export.rows().resume());
                          }
                        }
                      });
            });
  }

  static Object value(JsonObject session, String column) {
    int dot = column.indexOf('.');
    if (dot < 0) return session.getValue(column);
    JsonObject parent = session.getJsonObject(column.substring(0, dot));
    return parent == null ? null : parent.getValue(column.substring(dot + 1));
  }
}
