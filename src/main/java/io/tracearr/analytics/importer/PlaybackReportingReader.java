package io.tracearr.analytics.importer;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the Jellyfin Playback Reporting plugin's database ({@code playback_reporting.db} in
 * Jellyfin's data folder).
 *
 * <p>Schema: jellyfin/jellyfin-plugin-playbackreporting {@code
 * Jellyfin.Plugin.PlaybackReporting/Data/ActivityRepository.cs}, {@code InitializeInternal()},
 * table PlaybackActivity (commit 953854ab03c3c2a43cdcbf8f02855bf308810490). Row meanings from
 * {@code EventMonitorEntryPoint.cs} and {@code Data/PlaybackTracker.cs} (repository HEAD
 * 694a56a0806af128acb3bb0ac670bf9205be018d): DateCreated is {@code DateTime.Now} when playback
 * started, written as "yyyy-MM-dd HH:mm:ss.FFFFFFF" in the Jellyfin server's local time ({@code
 * Data/SqliteExtensions.cs}); PlayDuration is the seconds actually played (pauses excluded);
 * ItemName of an episode is "Series - sNNeNN - Title"; PlaybackMethod is "DirectPlay",
 * "DirectStream" or "Transcode (v:… a:…)". The plugin records no IP address, device id, resolution
 * or user name.
 */
public final class PlaybackReportingReader implements HistorySource {

  private static final String SOURCE = "playback_reporting:PlaybackActivity:";
  static final Map<String, List<String>> REQUIRED =
      Map.of(
          "PlaybackActivity",
          List.of(
              "DateCreated",
              "UserId",
              "ItemId",
              "ItemType",
              "ItemName",
              "PlaybackMethod",
              "ClientName",
              "DeviceName",
              "PlayDuration"));

  private static final String ACTIVITY =
      """
      SELECT DateCreated, UserId, ItemId, ItemType, ItemName, PlaybackMethod, ClientName, DeviceName, PlayDuration
        FROM PlaybackActivity
       ORDER BY rowid
      """;

  // GetItemName() in EventMonitorEntryPoint.cs: Series.Name + " - s" + season:D2 + "e" + episode:D2
  // + " - " + Name
  private static final Pattern EPISODE_NAME =
      Pattern.compile("^(.*) - s(\\d+)e(\\d+) - (.*)$", Pattern.DOTALL);

  private final ZoneId serverZone;

  /**
   * @param serverZone the Jellyfin server's time zone: DateCreated carries no offset
   */
  public PlaybackReportingReader(ZoneId serverZone) {
    this.serverZone = Objects.requireNonNull(serverZone, "serverZone");
  }

  @Override
  public void read(Path file, RowSink sink) throws ImportFailure {
    try (Connection db = SqliteFile.openReadOnly(file)) {
      SqliteFile.requireSchema(db, "Playback Reporting", REQUIRED);
      long total = SqliteFile.count(db, "PlaybackActivity");
      long done = 0;
      sink.position("rows", 0, total);
      try (Statement st = db.createStatement();
          ResultSet rs = st.executeQuery(ACTIVITY)) {
        while (rs.next()) {
          row(rs, sink);
          sink.position("rows", ++done, total);
        }
      }
    } catch (SQLException e) {
      throw SqliteFile.failure(e);
    }
  }

  private void row(ResultSet rs, RowSink sink) throws SQLException {
    String dateCreated = SqliteFile.textOrNull(rs, 1);
    String userId = JellyfinIds.normalize(rs.getString(2));
    String itemId = JellyfinIds.normalize(rs.getString(3));
    // The table has no key of its own and its rowids change on VACUUM or a restore of the plugin's
    // backup;
    // the plugin itself names a row by (DateCreated, UserId, ItemId) in UpdatePlaybackAction, and
    // so do we.
    String rowId = SOURCE + dateCreated + "/" + userId + "/" + itemId;
    Instant started = SourceTimes.parse(dateCreated, serverZone);
    if (started == null) {
      sink.skip(SkipReason.MISSING_TIME, dateCreated == null ? null : rowId);
      return;
    }
    Long played = SqliteFile.longOrNull(rs, 9);
    if (played != null && played < 0) {
      sink.skip(SkipReason.IMPOSSIBLE_TIMES, rowId);
      return;
    }
    if (userId == null) {
      sink.skip(SkipReason.MISSING_USER, rowId);
      return;
    }
    if (itemId == null) {
      sink.skip(SkipReason.MISSING_ITEM, rowId);
      return;
    }
    long playedSeconds = played == null ? 0 : played;
    ContentType type = contentType(SqliteFile.textOrNull(rs, 4));
    String itemName = SqliteFile.textOrNull(rs, 5);
    String title = itemName;
    String seriesTitle = null;
    Integer season = null;
    Integer episode = null;
    Matcher m =
        type == ContentType.EPISODE && itemName != null ? EPISODE_NAME.matcher(itemName) : null;
    if (m != null && m.matches()) {
      seriesTitle = m.group(1);
      season = Integer.valueOf(m.group(2));
      episode = Integer.valueOf(m.group(3));
      title = m.group(4);
    }
    String method = SqliteFile.textOrNull(rs, 6);
    sink.accept(
        new ImportedSession(
            rowId,
            userId,
            null,
            itemId,
            type,
            title,
            seriesTitle,
            season,
            episode,
            null,
            null,
            null,
            SqliteFile.textOrNull(rs, 8),
            SqliteFile.textOrNull(rs, 7),
            null,
            null,
            started,
            // pauses are not recorded, so the end is a lower bound: start + time played
            started.plusSeconds(playedSeconds),
            playedSeconds,
            0,
            method != null && method.regionMatches(true, 0, "Transcode", 0, 9),
            null,
            0));
  }

  private static ContentType contentType(String itemType) {
    if (itemType == null) {
      return ContentType.OTHER;
    }
    return switch (itemType) {
      case "Movie" -> ContentType.MOVIE;
      case "Episode" -> ContentType.EPISODE;
      case "Audio" -> ContentType.TRACK;
      default -> ContentType.OTHER;
    };
  }
}
