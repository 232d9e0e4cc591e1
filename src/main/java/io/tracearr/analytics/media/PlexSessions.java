package io.tracearr.analytics.media;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Plex {@code GET /status/sessions} (requested with {@code Accept: application/json}) onto {@link
 * ObservedPlayback}s: one per {@code MediaContainer.Metadata} element, with its {@code User},
 * {@code Player}, {@code Session}, {@code TranscodeSession} and {@code Media} children.
 *
 * <p>Shapes: LukeHagar/plex-api-spec ({@code /status/sessions}, schemas Player, Session, User,
 * Media, Metadata) and Tautulli's plexpy/pmsconnect.py for the fields the spec omits ({@code
 * sessionKey}, {@code videoDecision}, {@code selected}, {@code live}); see
 * src/test/resources/media/README.md.
 */
public final class PlexSessions {

  private PlexSessions() {}

  /** The raw body of {@code GET /status/sessions}. */
  public static List<ObservedPlayback> parseBody(String body) throws MalformedPayload {
    JsonObject decoded;
    try {
      decoded = body == null ? null : new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new MalformedPayload("GET /status/sessions did not answer a JSON object");
    }
    return parse(decoded);
  }

  public static List<ObservedPlayback> parse(JsonObject body) throws MalformedPayload {
    JsonObject container = Lenient.object(body, "MediaContainer");
    if (container == null)
      throw new MalformedPayload("GET /status/sessions answered without a MediaContainer");
    List<ObservedPlayback> out = new ArrayList<>();
    JsonArray items = Lenient.array(container, "Metadata");
    if (items == null) return out; // an idle server answers {"MediaContainer": {"size": 0}}
    for (Object element : items) {
      if (element instanceof JsonObject m) {
        ObservedPlayback p = playback(m);
        if (p != null) out.add(p);
      }
    }
    return out;
  }

  static ObservedPlayback playback(JsonObject m) {
    JsonObject user = Lenient.object(m, "User");
    JsonObject player = Lenient.object(m, "Player");
    JsonObject session = Lenient.object(m, "Session");
    JsonObject transcode = Lenient.object(m, "TranscodeSession");
    JsonObject media = selectedMedia(m);
    String sessionKey = Lenient.text(m, "sessionKey");
    String ratingKey = Lenient.text(m, "ratingKey");
    String userId = Lenient.text(user, "id");
    if (sessionKey == null || ratingKey == null || userId == null) return null;

    String plexType = Lenient.text(m, "type");
    String contentType = contentType(plexType, Boolean.TRUE.equals(Lenient.bool(m, "live")));
    boolean episode = "episode".equals(plexType);
    Long viewOffset = Lenient.integer(m, "viewOffset");
    Long duration = Lenient.integer(m, "duration");
    if (duration == null) duration = Lenient.integer(media, "duration");
    Integer bandwidth = Lenient.int32(session, "bandwidth");
    if (bandwidth == null) bandwidth = Lenient.int32(media, "bitrate");

    return new PlaybackBuilder()
            .keys(sessionKey, Lenient.text(session, "id"), ratingKey)
            .user(userId, Lenient.text(user, "title"))
            .device(
                Lenient.text(player, "machineIdentifier"),
                deviceName(player),
                Lenient.text(player, "product"),
                Lenient.text(player, "platform"),
                address(player, session))
            .state(
                status(Lenient.text(player, "state")),
                viewOffset == null || viewOffset < 0 ? 0d : viewOffset / 1000d)
            .stream(
                transcoded(transcode),
                "track".equals(contentType) ? null : resolution(media),
                bandwidth == null || bandwidth < 0 ? null : Math.min(bandwidth, 10_000_000))
            .content(
                contentType,
                Lenient.text(m, "title"),
                episode ? Lenient.text(m, "grandparentTitle") : null,
                episode ? Lenient.int32(m, "parentIndex") : null,
                episode ? Lenient.int32(m, "index") : null,
                Lenient.int32(m, "year"),
                duration == null || duration <= 0 ? null : duration / 1000d)
            .build();
  }

  /**
   * Tautulli's rule: the {@code Media} marked selected (the one being streamed), else the first.
   */
  private static JsonObject selectedMedia(JsonObject m) {
    JsonArray media = Lenient.array(m, "Media");
    if (media == null) return null;
    JsonObject first = null;
    for (Object o : media) {
      if (o instanceof JsonObject j) {
        if (Boolean.TRUE.equals(Lenient.bool(j, "selected"))) return j;
        if (first == null) first = j;
      }
    }
    return first;
  }

  private static String deviceName(JsonObject player) {
    String title = Lenient.text(player, "title");
    return title != null ? title : Lenient.text(player, "device");
  }

  /**
   * {@code Player.address} is what the server's socket sees; a client streaming from outside (not
   * {@code local}, or {@code Session.location = wan}) behind a relay or reverse proxy shows the
   * proxy there, and its own public address in {@code remotePublicAddress}. Geolocation needs the
   * latter.
   */
  private static String address(JsonObject player, JsonObject session) {
    boolean outside =
        Boolean.FALSE.equals(Lenient.bool(player, "local"))
            || "wan".equals(Lenient.text(session, "location"));
    String publicAddress = Lenient.ip(Lenient.text(player, "remotePublicAddress"));
    if (outside && publicAddress != null) return publicAddress;
    return Lenient.ip(Lenient.text(player, "address"));
  }

  private static String status(String playerState) {
    if ("paused".equals(playerState)) return "paused";
    if ("buffering".equals(playerState)) return "buffering";
    return "playing";
  }

  /**
   * A video decision of {@code transcode}; for audio-only streams (no video decision) the audio
   * decision.
   */
  private static boolean transcoded(JsonObject transcode) {
    if (transcode == null) return false;
    String video = Lenient.text(transcode, "videoDecision");
    if (video != null) return "transcode".equals(video);
    return "transcode".equals(Lenient.text(transcode, "audioDecision"));
  }

  private static String resolution(JsonObject media) {
    if (media == null) return null;
    String label = Resolution.ofPlexLabel(Lenient.text(media, "videoResolution"));
    return label != null
        ? label
        : Resolution.of(Lenient.int32(media, "width"), Lenient.int32(media, "height"));
  }

  static String contentType(String plexType, boolean live) {
    if (live) return "live";
    if (plexType == null) return "other";
    return switch (plexType) {
      case "movie" -> "movie";
      case "episode" -> "episode";
      case "track" -> "track";
      default -> "other";
    };
  }
}
