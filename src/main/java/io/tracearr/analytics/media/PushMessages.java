package io.tracearr.analytics.media;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The servers' push channels, read and written as text frames.
 *
 * <p>Jellyfin/Emby: {@code {"MessageType": ..., "Data": ...}} on {@code /socket} (Jellyfin) or
 * {@code /embywebsocket} (Emby). After {@link #sessionsStart} the server sends {@code Sessions}
 * with the session array every interval (BasePeriodicWebSocketListener parses Data as "initial
 * delay ms,interval ms").
 *
 * <p>Plex: {@code {"NotificationContainer": {"type": "playing", "PlaySessionStateNotification":
 * [...]}}} on {@code /:/websockets/notifications}; each state change of a play session is one
 * notification.
 */
public final class PushMessages {

  /** Jellyfin/Emby message types that mean a playback started, stopped or moved. */
  static final Set<String> MEDIA_BROWSER_TRIGGERS =
      Set.of("PlaybackStart", "PlaybackStopped", "SessionEnded", "UserDataChanged");

  private PushMessages() {}

  /**
   * The subscription a Jellyfin/Emby client sends once the socket is open, e.g. {@code "0,1500"}.
   */
  public static String sessionsStart(int initialDelayMs, int intervalMs) {
    return new JsonObject()
        .put("MessageType", "SessionsStart")
        .put("Data", initialDelayMs + "," + intervalMs)
        .encode();
  }

  /** The answer to {@code ForceKeepAlive}, and the periodic ping a Jellyfin/Emby client sends. */
  public static String keepAlive() {
    return new JsonObject().put("MessageType", "KeepAlive").encode();
  }

  public static PushSignal mediaBrowser(String text) {
    JsonObject message = object(text);
    if (message == null) return new PushSignal.Unreadable("not a JSON object");
    String type = Lenient.text(message, "MessageType");
    if (type == null) return new PushSignal.Unreadable("no MessageType");
    if (type.equals("Sessions")) {
      if (!(message.getValue("Data") instanceof JsonArray sessions)) {
        return new PushSignal.Unreadable("Sessions without a session array");
      }
      return new PushSignal.SessionsSnapshot(JellyfinSessions.parse(sessions));
    }
    if (type.equals("ForceKeepAlive"))
      return new PushSignal.KeepAliveRequested(Lenient.int32(message, "Data"));
    if (MEDIA_BROWSER_TRIGGERS.contains(type)) {
      JsonObject data = Lenient.object(message, "Data");
      String key = Lenient.text(data, "Id");
      return new PushSignal.PollNow(type, key == null ? List.of() : List.of(key));
    }
    return new PushSignal.Ignored(type);
  }

  public static PushSignal plex(String text) {
    JsonObject message = object(text);
    JsonObject container = Lenient.object(message, "NotificationContainer");
    if (container == null) return new PushSignal.Unreadable("no NotificationContainer");
    String type = Lenient.text(container, "type");
    if (type == null) return new PushSignal.Unreadable("no type");
    if (!type.equals("playing")) return new PushSignal.Ignored(type);
    JsonArray states = Lenient.array(container, "PlaySessionStateNotification");
    List<String> keys = new ArrayList<>();
    if (states != null) {
      for (Object o : states) {
        String key = o instanceof JsonObject j ? Lenient.text(j, "sessionKey") : null;
        if (key != null && !keys.contains(key)) keys.add(key);
      }
    }
    return new PushSignal.PollNow("playing", keys);
  }

  private static JsonObject object(String text) {
    if (text == null) return null;
    try {
      return new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }
}
