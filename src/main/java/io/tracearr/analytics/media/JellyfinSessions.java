package io.tracearr.analytics.media;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Jellyfin and Emby {@code GET /Sessions} (an array of {@code SessionInfoDto}) onto {@link
 * ObservedPlayback}s. The same array arrives in the WebSocket {@code Sessions} message, so {@link
 * PushMessages} reuses this.
 *
 * <p>Shapes: jellyfin-sdk-typescript {@code session-info-dto.ts}, {@code player-state-info.ts},
 * {@code transcoding-info.ts}, {@code base-item-dto.ts} (see src/test/resources/media/README.md).
 */
public final class JellyfinSessions {

  /** .NET ticks: 100 ns. */
  static final double TICKS_PER_SECOND = 10_000_000d;

  private JellyfinSessions() {}

  /** The raw body of {@code GET /Sessions}. */
  public static List<ObservedPlayback> parseBody(String body) throws MalformedPayload {
    Object decoded;
    try {
      decoded = body == null ? null : Json.decodeValue(body);
    } catch (DecodeException e) {
      throw new MalformedPayload("GET /Sessions did not answer JSON");
    }
    if (!(decoded instanceof JsonArray array))
      throw new MalformedPayload("GET /Sessions did not answer a JSON array");
    return parse(array);
  }

  /**
   * Only sessions that are playing something: a session without {@code NowPlayingItem} is an idle
   * client (an open app, the dashboard). A playing session without a session id, item id or user id
   * cannot be named and is skipped; so is any element that is not an object.
   */
  public static List<ObservedPlayback> parse(JsonArray sessions) {
    List<ObservedPlayback> out = new ArrayList<>();
    if (sessions == null) return out;
    for (Object element : sessions) {
      if (element instanceof JsonObject s) {
        ObservedPlayback p = playback(s);
        if (p != null) out.add(p);
      }
    }
    return out;
  }

  static ObservedPlayback playback(JsonObject s) {
    JsonObject item = Lenient.object(s, "NowPlayingItem");
    String sessionId = Lenient.text(s, "Id");
    String itemId = Lenient.text(item, "Id");
    String userId = Lenient.text(s, "UserId");
    if (item == null || sessionId == null || itemId == null || userId == null) return null;

    JsonObject state = Lenient.object(s, "PlayState");
    JsonObject transcoding = Lenient.object(s, "TranscodingInfo");
    Long ticks = Lenient.integer(state, "PositionTicks");
    boolean paused = Boolean.TRUE.equals(Lenient.bool(state, "IsPaused"));
    boolean transcoded = "Transcode".equals(Lenient.text(state, "PlayMethod"));
    Long runTicks = Lenient.integer(item, "RunTimeTicks");
    String type = Lenient.text(item, "Type");
    boolean episode = "Episode".equals(type);

    return new PlaybackBuilder()
            .keys(sessionId, sessionId, itemId)
            .user(userId, Lenient.text(s, "UserName"))
            .device(
                Lenient.text(s, "DeviceId"),
                Lenient.text(s, "DeviceName"),
                Lenient.text(s, "Client"),
                null,
                Lenient.ip(Lenient.text(s, "RemoteEndPoint")))
            .state(
                paused ? "paused" : "playing",
                ticks == null || ticks < 0 ? 0d : ticks / TICKS_PER_SECOND)
            .stream(
                transcoded,
                "Audio".equals(Lenient.text(item, "MediaType"))
                    ? null
                    : resolution(item, transcoding),
                bandwidthKbps(transcoding))
            .content(
                contentType(type),
                Lenient.text(item, "Name"),
                episode ? Lenient.text(item, "SeriesName") : null,
                episode ? Lenient.int32(item, "ParentIndexNumber") : null,
                episode ? Lenient.int32(item, "IndexNumber") : null,
                Lenient.int32(item, "ProductionYear"),
                runTicks == null || runTicks <= 0 ? null : runTicks / TICKS_PER_SECOND)
            .build();
  }

  /**
   * What the viewer gets: the transcoder's output size when it transcodes, else the source video
   * stream, else the item's own size. {@code MediaStreams} are filled from the playing media source
   * (SessionManager.GetItemInfo).
   */
  private static String resolution(JsonObject item, JsonObject transcoding) {
    if (transcoding != null && !Boolean.TRUE.equals(Lenient.bool(transcoding, "IsVideoDirect"))) {
      String r =
          Resolution.of(Lenient.int32(transcoding, "Width"), Lenient.int32(transcoding, "Height"));
      if (r != null) return r;
    }
    JsonArray streams = Lenient.array(item, "MediaStreams");
    if (streams != null) {
      for (Object o : streams) {
        if (o instanceof JsonObject stream && "Video".equals(Lenient.text(stream, "Type"))) {
          String r = Resolution.of(Lenient.int32(stream, "Width"), Lenient.int32(stream, "Height"));
          if (r != null) return r;
        }
      }
    }
    return Resolution.of(Lenient.int32(item, "Width"), Lenient.int32(item, "Height"));
  }

  /**
   * {@code TranscodingInfo.Bitrate} is bits per second (TranscodeManager reports the encoder's
   * total output bitrate). A direct play has no TranscodingInfo, and the session then says nothing
   * about bandwidth.
   */
  private static Integer bandwidthKbps(JsonObject transcoding) {
    Long bps = Lenient.integer(transcoding, "Bitrate");
    if (bps == null || bps <= 0) return null;
    return (int) Math.min(bps / 1000, 10_000_000L);
  }

  /** {@code BaseItemKind} onto the registry's content types. */
  static String contentType(String kind) {
    if (kind == null) return "other";
    return switch (kind) {
      case "Movie" -> "movie";
      case "Episode" -> "episode";
      case "Audio", "AudioBook" -> "track";
      case "TvChannel", "LiveTvChannel", "LiveTvProgram", "Program", "TvProgram" -> "live";
      default -> "other";
    };
  }
}
