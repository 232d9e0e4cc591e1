package io.tracearr.analytics.media;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The committed server payloads under src/test/resources/media (their sources are named in the
 * README there).
 */
final class Fixtures {

  static final String JELLYFIN_SYSTEM_INFO = "jellyfin-system-info.json";
  static final String JELLYFIN_SESSIONS = "jellyfin-sessions.json";
  static final String JELLYFIN_WS_SESSIONS = "jellyfin-ws-sessions.json";
  static final String PLEX_IDENTITY = "plex-identity.json";
  static final String PLEX_STATUS_SESSIONS = "plex-status-sessions.json";
  static final String PLEX_NOTIFICATION_PLAYING = "plex-notification-playing.json";

  private Fixtures() {}

  static String text(String name) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/media/" + name)) {
      if (in == null) throw new IllegalArgumentException("no fixture media/" + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonObject object(String name) {
    return new JsonObject(text(name));
  }

  static JsonArray array(String name) {
    return new JsonArray(text(name));
  }
}
