package io.tracearr.analytics.importer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Tautulli's history database ({@code tautulli.db}).
 *
 * <p>Schema: Tautulli/Tautulli {@code plexpy/__init__.py}, {@code dbcheck()}, CREATE TABLE of
 * session_history, session_history_media_info, session_history_metadata and users, at commit
 * 19d023f44e153eee227ee6a866b78d7613b9e2a7. Units and meanings from {@code
 * plexpy/activity_processor.py} (commit 57576199d97c37d67e221d91a96dc379fd42842d): started/stopped
 * are epoch seconds, paused_counter seconds, view_offset and duration milliseconds (as Plex reports
 * them), bandwidth kbps; the media info and metadata rows share the history row's id. Played time
 * is stopped − started − paused_counter, the formula of Tautulli's own {@code
 * plexpy/datafactory.py}.
 *
 * <p>Tautulli chains a stopped-and-resumed playback through {@code reference_id}; each row stays
 * one of our sessions (each has its own start, stop and device), so nothing is merged here.
 */
public final class TautulliReader implements HistorySource {

  private static final String SOURCE = "tautulli:session_history:";

  /** Only what the query below reads: a database without these is refused, naming what it lacks. */
  static final Map<String, List<String>> REQUIRED = requiredSchema();

  private static Map<String, List<String>> requiredSchema() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put(
        "session_history",
        List.of(
            "id",
            "reference_id",
            "started",
            "stopped",
            "rating_key",
            "user_id",
            "user",
            "ip_address",
            "paused_counter",
            "player",
            "product",
            "platform",
            "machine_id",
            "bandwidth",
            "media_type",
            "view_offset"));
    m.put(
        "session_history_metadata",
        List.of(
            "id",
            "title",
            "grandparent_title",
            "parent_media_index",
            "media_index",
            "year",
            "duration"));
    m.put("session_history_media_info", List.of("id", "transcode_decision", "video_resolution"));
    m.put("users", List.of("user_id", "username", "friendly_name"));
    return m;
  }

  // LEFT JOINs: a history row whose metadata or user was cleaned away is still a playback that
  // happened.
  // ORDER BY the rowid alias costs nothing and makes the order (and a resumed count) repeatable.
  private static final String HISTORY =
      """
      SELECT sh.id, sh.started, sh.stopped, sh.paused_counter, sh.view_offset, sh.rating_key, sh.media_type,
             sh.user_id, sh.user, u.username, u.friendly_name,
             sh.ip_address, sh.player, sh.product, sh.platform, sh.machine_id, sh.bandwidth,
             m.title, m.grandparent_title, m.parent_media_index, m.media_index, m.year, m.duration,
             mi.transcode_decision, mi.video_resolution
        FROM session_history sh
        LEFT JOIN session_history_metadata m ON m.id = sh.id
        LEFT JOIN session_history_media_info mi ON mi.id = sh.id
        LEFT JOIN users u ON u.user_id = sh.user_id
       ORDER BY sh.id
      """;

  /** Tautulli's {@code started} is unix seconds: the span is one indexed-free aggregate. */
  @Override
  public java.util.Optional<Span> span(Path file) throws ImportFailure {
    try (Connection db = SqliteFile.openReadOnly(file)) {
      SqliteFile.requireSchema(db, "Tautulli", REQUIRED);
      try (Statement st = db.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT min(started), max(started) FROM session_history WHERE started > 0")) {
        if (!rs.next() || rs.getObject(1) == null) return java.util.Optional.empty();
        return java.util.Optional.of(
            new Span(
                java.time.Instant.ofEpochSecond(rs.getLong(1))
                    .atZone(java.time.ZoneOffset.UTC)
                    .toLocalDate(),
                java.time.Instant.ofEpochSecond(rs.getLong(2))
                    .atZone(java.time.ZoneOffset.UTC)
                    .toLocalDate()));
      }
    } catch (SQLException e) {
      throw SqliteFile.failure(e);
    }
  }

  @Override
  public void read(Path file, RowSink sink) throws ImportFailure {
    try (Connection db = SqliteFile.openReadOnly(file)) {
      SqliteFile.requireSchema(db, "Tautulli", REQUIRED);
      long total = SqliteFile.count(db, "session_history");
      long done = 0;
      sink.position("rows", 0, total);
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery(HISTORY)) {
        while (rs.next()) {
          row(rs, sink);
          sink.position("rows", ++done, total);
        }
      }
    } catch (SQLException e) {
      throw SqliteFile.failure(e);
    }
  }

  private static void row(ResultSet rs, RowSink sink) throws SQLException {
    Long id = SqliteFile.longOrNull(rs, 1);
    if (id == null) {
      sink.skip(SkipReason.MISSING_ID, null);
      return;
    }
    String rowId = SOURCE + id;
    Long started = SqliteFile.longOrNull(rs, 2);
    Long stopped = SqliteFile.longOrNull(rs, 3);
    // stopped = 0 is how an interrupted write looks; it is no time at all, not 1970
    if (started == null || stopped == null || started <= 0 || stopped <= 0) {
      sink.skip(SkipReason.MISSING_TIME, rowId);
      return;
    }
    Long paused = SqliteFile.longOrNull(rs, 4);
    long played = stopped - started - (paused == null ? 0 : paused);
    if (stopped < started || played < 0 || (paused != null && paused < 0)) {
      sink.skip(SkipReason.IMPOSSIBLE_TIMES, rowId);
      return;
    }
    Long userId = SqliteFile.longOrNull(rs, 8);
    if (userId == null) {
      sink.skip(SkipReason.MISSING_USER, rowId);
      return;
    }
    Long ratingKey = SqliteFile.longOrNull(rs, 6);
    if (ratingKey == null) {
      sink.skip(SkipReason.MISSING_ITEM, rowId);
      return;
    }
    ContentType type = contentType(SqliteFile.textOrNull(rs, 7));
    boolean episode = type == ContentType.EPISODE;
    Long viewOffsetMs = SqliteFile.longOrNull(rs, 5);
    Long durationMs = SqliteFile.longOrNull(rs, 23);
    Integer year = SqliteFile.intOrNull(rs, 22);
    Long bandwidth = SqliteFile.longOrNull(rs, 17);
    sink.accept(
        new ImportedSession(
            rowId,
            Long.toString(userId),
            userName(
                SqliteFile.textOrNull(rs, 11),
                SqliteFile.textOrNull(rs, 10),
                SqliteFile.textOrNull(rs, 9)),
            Long.toString(ratingKey),
            type,
            SqliteFile.textOrNull(rs, 18),
            episode ? SqliteFile.textOrNull(rs, 19) : null,
            episode ? SqliteFile.intOrNull(rs, 20) : null,
            episode ? SqliteFile.intOrNull(rs, 21) : null,
            year == null || year <= 0 ? null : year,
            durationMs == null || durationMs <= 0 ? null : durationMs / 1000d,
            SqliteFile.textOrNull(rs, 16),
            SqliteFile.textOrNull(rs, 13),
            SqliteFile.textOrNull(rs, 14),
            SqliteFile.textOrNull(rs, 15),
            SqliteFile.textOrNull(rs, 12),
            Instant.ofEpochSecond(started),
            Instant.ofEpochSecond(stopped),
            played,
            viewOffsetMs == null || viewOffsetMs < 0 ? 0 : viewOffsetMs / 1000d,
            // "copy" is Plex's direct stream: remuxed, not re-encoded
            "transcode".equalsIgnoreCase(SqliteFile.textOrNull(rs, 24)),
            Resolutions.fromPlexLabel(SqliteFile.textOrNull(rs, 25)),
            bandwidth == null || bandwidth < 0 || bandwidth > Integer.MAX_VALUE
                ? 0
                : bandwidth.intValue()));
  }

  /**
   * Tautulli's friendly name is what its own pages show; a removed friend keeps only history's
   * "user".
   */
  private static String userName(String friendlyName, String username, String historyUser) {
    if (friendlyName != null) {
      return friendlyName;
    }
    return username != null ? username : historyUser;
  }

  private static ContentType contentType(String mediaType) {
    if (mediaType == null) {
      return ContentType.OTHER;
    }
    return switch (mediaType) {
      case "movie" -> ContentType.MOVIE;
      case "episode" -> ContentType.EPISODE;
      case "track" -> ContentType.TRACK;
      default -> ContentType.OTHER;
    };
  }
}
