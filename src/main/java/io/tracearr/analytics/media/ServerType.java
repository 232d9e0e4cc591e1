package io.tracearr.analytics.media;

import java.util.Locale;
import java.util.Optional;

/**
 * The media servers the connector can watch; {@link #id()} is the wire name used in config and
 * REST.
 */
public enum ServerType {
  JELLYFIN("jellyfin"),
  EMBY("emby"),
  PLEX("plex");

  private final String id;

  ServerType(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }

  /**
   * Jellyfin and Emby share one API lineage (MediaBrowser): the same session, system-info and push
   * shapes.
   */
  public boolean isMediaBrowser() {
    return this != PLEX;
  }

  public static Optional<ServerType> of(String id) {
    if (id == null) return Optional.empty();
    String wanted = id.trim().toLowerCase(Locale.ROOT);
    for (ServerType t : values()) {
      if (t.id.equals(wanted)) return Optional.of(t);
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return id;
  }
}
