package io.tracearr.analytics.importer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Jellystat backup file ({@code backup_YYYY-MM-DD HH-mm-ss.json}) with Jackson's streaming
 * parser.
 *
 * <p>Format: CyferShepard/Jellystat {@code backend/classes/backup.js} (commit
 * f3158258d7843074214d3c15c40fab8cf6d04a04) writes {@code JSON.stringify([{<table>: [rows of SELECT
 * *]}, ...])} over the tables of {@code backend/global/backup_tables.js} (commit
 * cb9417542be4ecd84ad4dae415ed047b75cce292). Columns: {@code backend/migrations} 004
 * (jf_library_items), 006 (jf_library_episodes), 007 + 038 + 043 (jf_playback_activity), 008
 * (jf_users); row meanings from {@code backend/models/jf_playback_activity.js} (commit
 * b79cee28b8d9a67aace43b3f529f544a7a17451d: for an episode NowPlayingItemId is the series and
 * EpisodeId the episode) and {@code backend/tasks/ActivityMonitor.js} (commit
 * a45d1d3a08364f7eb8866c5ffc8d1438aa16334a: ActivityDateInserted is when playback ended,
 * PlaybackDuration the seconds played without pauses). node-postgres writes bigint columns as
 * strings.
 *
 * <p>Two passes over the file, so memory stays flat whatever the table order: the first keeps only
 * the small lookups (user names, titles, years, lengths: they grow with the library, not the
 * history) and skips activity; the second streams activity row by row to the sink.
 */
public final class JellystatReader implements HistorySource {

  private static final String SOURCE = "jellystat:jf_playback_activity:";
  private static final String ACTIVITY = "jf_playback_activity";
  private static final long TICKS_PER_SECOND = 10_000_000L;
  private static final JsonFactory JSON = JsonFactory.builder().build();

  private static final Set<String> USER_FIELDS = Set.of("Id", "Name");
  private static final Set<String> ITEM_FIELDS =
      Set.of("Id", "Name", "Type", "ProductionYear", "RunTimeTicks");
  private static final Set<String> EPISODE_FIELDS =
      Set.of(
          "EpisodeId",
          "Name",
          "SeriesName",
          "IndexNumber",
          "ParentIndexNumber",
          "ProductionYear",
          "RunTimeTicks");
  private static final Set<String> ACTIVITY_FIELDS =
      Set.of(
          "Id",
          "UserId",
          "UserName",
          "Client",
          "DeviceName",
          "DeviceId",
          "NowPlayingItemId",
          "NowPlayingItemName",
          "EpisodeId",
          "SeriesName",
          "PlaybackDuration",
          "ActivityDateInserted",
          "PlayMethod",
          "RemoteEndPoint");
  private static final Set<String> PLAY_STATE_FIELDS = Set.of("PositionTicks");
  private static final Set<String> TRANSCODING_FIELDS = Set.of("Bitrate", "Height");
  private static final Set<String> STREAM_FIELDS = Set.of("Type", "Height");

  record Item(String type, String name, Integer year, Double durationSeconds) {}

  record Episode(
      String name,
      String seriesName,
      Integer season,
      Integer episode,
      Integer year,
      Double durationSeconds) {}

  /** What pass one keeps: ids → names, titles and lengths. */
  static final class Library {
    final Map<String, String> userNames = new HashMap<>();
    final Map<String, Item> items = new HashMap<>();
    final Map<String, Episode> episodes = new HashMap<>();
    boolean hasActivity;
  }

  @FunctionalInterface
  private interface TableReader {
    void read(String table, JsonParser p) throws IOException, ImportFailure;
  }

  @Override
  public void read(Path file, RowSink sink) throws ImportFailure {
    Library library = new Library();
    long size = file.toFile().length();
    forEachTable(
        file,
        (table, p) -> {
          sink.position("bytes", p.currentLocation().getByteOffset(), 2 * size);
          switch (table) {
            case "jf_users" ->
                forEachRow(
                    p,
                    row -> readScalars(p, USER_FIELDS, row),
                    row ->
                        putIfPresent(
                            library.userNames,
                            JellyfinIds.normalize(row.get("Id")),
                            row.get("Name")));
            case "jf_library_items" ->
                forEachRow(
                    p,
                    row -> readScalars(p, ITEM_FIELDS, row),
                    row -> {
                      String id = JellyfinIds.normalize(row.get("Id"));
                      if (id != null) {
                        library.items.put(
                            id,
                            new Item(
                                row.get("Type"),
                                row.get("Name"),
                                intOrNull(row.get("ProductionYear")),
                                seconds(row.get("RunTimeTicks"))));
                      }
                    });
            case "jf_library_episodes" ->
                forEachRow(
                    p,
                    row -> readScalars(p, EPISODE_FIELDS, row),
                    row -> {
                      String id = JellyfinIds.normalize(row.get("EpisodeId"));
                      if (id != null) {
                        library.episodes.put(
                            id,
                            new Episode(
                                row.get("Name"),
                                row.get("SeriesName"),
                                intOrNull(row.get("ParentIndexNumber")),
                                intOrNull(row.get("IndexNumber")),
                                intOrNull(row.get("ProductionYear")),
                                seconds(row.get("RunTimeTicks"))));
                      }
                    });
            case ACTIVITY -> {
              library.hasActivity = true;
              p.skipChildren();
            }
            default -> p.skipChildren();
          }
        });
    sink.position("bytes", size, 2 * size);
    if (!library.hasActivity) {
      throw new ImportFailure(
          "not a Jellystat backup with history: it has no "
              + ACTIVITY
              + " table (was \"Activity\" excluded from the backup in Jellystat's settings?)");
    }
    forEachTable(
        file,
        (table, p) -> {
          if (ACTIVITY.equals(table)) {
            forEachRow(
                p,
                row -> readActivityRow(p, row),
                row -> {
                  activity(row, library, sink);
                  sink.position("bytes", size + p.currentLocation().getByteOffset(), 2 * size);
                });
          } else {
            p.skipChildren();
          }
        });
    sink.position("bytes", 2 * size, 2 * size);
  }

  // --- the file's shape: [ {table: [row, ...]}, ... ]
  // ----------------------------------------------

  private static void forEachTable(Path file, TableReader reader) throws ImportFailure {
    boolean started = false;
    try (JsonParser p = JSON.createParser(file.toFile())) {
      JsonToken first = p.nextToken();
      started = true;
      if (first != JsonToken.START_ARRAY) {
        throw new ImportFailure(
            "not a Jellystat backup: it should be a JSON list of tables, but starts with "
                + (first == null
                    ? "nothing (the file is empty)"
                    : first.asString() == null ? first : first.asString()));
      }
      JsonToken t;
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t != JsonToken.START_OBJECT) {
          throw new ImportFailure(
              "not a Jellystat backup: each entry of the list should be {\"table\": [rows]}");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String table = p.currentName();
          JsonToken value = p.nextToken();
          if (value == JsonToken.VALUE_NULL) {
            continue;
          }
          if (value != JsonToken.START_ARRAY) {
            throw new ImportFailure(
                "not a Jellystat backup: table " + table + " is not a list of rows");
          }
          reader.read(table, p);
        }
      }
      if (p.nextToken() != null) {
        throw new ImportFailure("not a Jellystat backup: there is more after the list of tables");
      }
    } catch (JsonEOFException e) {
      throw new ImportFailure(
          "the JSON ends early, at line "
              + e.getLocation().getLineNr()
              + " (a truncated upload or backup?)",
          e);
    } catch (JsonParseException e) {
      throw new ImportFailure(
          started
              ? "malformed JSON at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr()
                  + ": "
                  + e.getOriginalMessage()
              : "not a JSON file: " + e.getOriginalMessage(),
          e);
    } catch (StreamReadException e) {
      throw new ImportFailure("cannot read the JSON: " + e.getOriginalMessage(), e);
    } catch (NoSuchFileException e) {
      throw new ImportFailure("file not found: " + file.getFileName(), e);
    } catch (IOException e) {
      throw new ImportFailure("cannot read the file: " + e.getMessage(), e);
    }
  }

  @FunctionalInterface
  private interface RowParser {
    void parse(Map<String, String> row) throws IOException;
  }

  @FunctionalInterface
  private interface RowHandler {
    void handle(Map<String, String> row);
  }

  /**
   * The parser stands on the table's START_ARRAY; one map is reused, so a row costs no allocation
   * of its own.
   */
  private static void forEachRow(JsonParser p, RowParser parser, RowHandler handler)
      throws IOException {
    Map<String, String> row = new HashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      row.clear();
      parser.parse(row);
      handler.handle(row);
    }
  }

  /** Keeps the wanted scalar fields of the object the parser stands on; skips everything nested. */
  private static void readScalars(JsonParser p, Set<String> wanted, Map<String, String> row)
      throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (value.isScalarValue()) {
        if (value != JsonToken.VALUE_NULL && wanted.contains(name)) {
          row.put(name, p.getText());
        }
      } else {
        p.skipChildren();
      }
    }
  }

  /**
   * An activity row: its scalars plus three nested facts (PlayState.PositionTicks,
   * TranscodingInfo's bitrate and height, the first video stream's height); MediaStreams can be
   * large and is otherwise skipped.
   */
  private static void readActivityRow(JsonParser p, Map<String, String> row) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (value.isScalarValue()) {
        if (value != JsonToken.VALUE_NULL && ACTIVITY_FIELDS.contains(name)) {
          row.put(name, p.getText());
        }
      } else if (value == JsonToken.START_OBJECT && name.equals("PlayState")) {
        readNested(p, "PlayState.", PLAY_STATE_FIELDS, row);
      } else if (value == JsonToken.START_OBJECT && name.equals("TranscodingInfo")) {
        readNested(p, "TranscodingInfo.", TRANSCODING_FIELDS, row);
      } else if (value == JsonToken.START_ARRAY && name.equals("MediaStreams")) {
        readVideoHeight(p, row);
      } else {
        p.skipChildren();
      }
    }
  }

  /** Like {@link #readScalars}, one level down: keys become "PlayState.PositionTicks" and so on. */
  private static void readNested(
      JsonParser p, String prefix, Set<String> wanted, Map<String, String> row) throws IOException {
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (!value.isScalarValue()) {
        p.skipChildren();
      } else if (value != JsonToken.VALUE_NULL && wanted.contains(name)) {
        row.put(prefix + name, p.getText());
      }
    }
  }

  private static void readVideoHeight(JsonParser p, Map<String, String> row) throws IOException {
    Map<String, String> stream = new HashMap<>(4);
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      stream.clear();
      readScalars(p, STREAM_FIELDS, stream);
      if ("Video".equals(stream.get("Type"))
          && stream.get("Height") != null
          && !row.containsKey("MediaStreams.VideoHeight")) {
        row.put("MediaStreams.VideoHeight", stream.get("Height"));
      }
    }
  }

  // --- one activity row → one session
  // -------------------------------------------------------------

  private static void activity(Map<String, String> row, Library library, RowSink sink) {
    String id = blankToNull(row.get("Id"));
    if (id == null) {
      sink.skip(SkipReason.MISSING_ID, null);
      return;
    }
    String rowId = SOURCE + id;
    Instant ended = SourceTimes.parse(row.get("ActivityDateInserted"), ZoneOffset.UTC);
    if (ended == null) {
      sink.skip(SkipReason.MISSING_TIME, rowId);
      return;
    }
    Long played = longOrNull(row.get("PlaybackDuration"));
    if (played != null && played < 0) {
      sink.skip(SkipReason.IMPOSSIBLE_TIMES, rowId);
      return;
    }
    long playedSeconds = played == null ? 0 : played;
    String userId = JellyfinIds.normalize(row.get("UserId"));
    if (userId == null) {
      sink.skip(SkipReason.MISSING_USER, rowId);
      return;
    }
    String userName = blankToNull(row.get("UserName"));
    if (userName == null) {
      userName = library.userNames.get(userId);
    }

    String episodeId = JellyfinIds.normalize(row.get("EpisodeId"));
    String itemId =
        episodeId != null ? episodeId : JellyfinIds.normalize(row.get("NowPlayingItemId"));
    if (itemId == null) {
      sink.skip(SkipReason.MISSING_ITEM, rowId);
      return;
    }
    ContentType type;
    String title = blankToNull(row.get("NowPlayingItemName"));
    String seriesTitle = null;
    Integer season = null;
    Integer episodeNumber = null;
    Integer year = null;
    Double duration = null;
    if (episodeId != null) {
      type = ContentType.EPISODE;
      Episode e = library.episodes.get(episodeId);
      seriesTitle = blankToNull(row.get("SeriesName"));
      if (e != null) {
        title = title != null ? title : e.name();
        seriesTitle = seriesTitle != null ? seriesTitle : e.seriesName();
        season = e.season();
        episodeNumber = e.episode();
        year = e.year();
        duration = e.durationSeconds();
      }
    } else {
      Item item = library.items.get(itemId);
      // an item no longer in the library cannot say what it was
      type = item == null ? ContentType.OTHER : contentType(item.type());
      if (item != null) {
        title = title != null ? title : item.name();
        year = item.year();
        duration = item.durationSeconds();
      }
    }

    String playMethod = row.get("PlayMethod");
    // Jellystat's copy of Playback Reporting rows says "Transcode (v:h264 a:aac)"
    boolean transcoded = playMethod != null && playMethod.regionMatches(true, 0, "Transcode", 0, 9);
    Long height =
        transcoded && row.containsKey("TranscodingInfo.Height")
            ? longOrNull(row.get("TranscodingInfo.Height"))
            : longOrNull(row.get("MediaStreams.VideoHeight"));
    Long bitrate = longOrNull(row.get("TranscodingInfo.Bitrate"));
    Long ticks = longOrNull(row.get("PlayState.PositionTicks"));

    sink.accept(
        new ImportedSession(
            rowId,
            userId,
            userName,
            itemId,
            type,
            title,
            seriesTitle,
            season,
            episodeNumber,
            year,
            duration,
            blankToNull(row.get("DeviceId")),
            blankToNull(row.get("DeviceName")),
            blankToNull(row.get("Client")),
            null,
            blankToNull(row.get("RemoteEndPoint")),
            ended.minusSeconds(playedSeconds),
            ended,
            playedSeconds,
            ticks == null || ticks < 0 ? 0 : ticks / (double) TICKS_PER_SECOND,
            transcoded,
            Resolutions.fromHeight(height),
            // the live connector takes bandwidth from the transcode's bitrate too; direct play
            // reports none
            transcoded && bitrate != null && bitrate > 0
                ? (int) Math.min(Integer.MAX_VALUE, bitrate / 1000)
                : 0));
  }

  private static ContentType contentType(String jellyfinType) {
    if (jellyfinType == null) {
      return ContentType.OTHER;
    }
    return switch (jellyfinType) {
      case "Movie" -> ContentType.MOVIE;
      case "Episode" -> ContentType.EPISODE;
      case "Audio" -> ContentType.TRACK;
      default -> ContentType.OTHER;
    };
  }

  private static void putIfPresent(Map<String, String> map, String key, String value) {
    if (key != null && value != null && !value.isBlank()) {
      map.put(key, value);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Numbers arrive as JSON numbers or, for bigint columns, as strings. */
  private static Long longOrNull(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      try {
        return (long) Double.parseDouble(s.trim());
      } catch (NumberFormatException again) {
        return null;
      }
    }
  }

  private static Integer intOrNull(String s) {
    Long v = longOrNull(s);
    return v == null || v > Integer.MAX_VALUE || v < Integer.MIN_VALUE ? null : v.intValue();
  }

  private static Double seconds(String ticks) {
    Long t = longOrNull(ticks);
    return t == null || t <= 0 ? null : t / (double) TICKS_PER_SECOND;
  }
}
