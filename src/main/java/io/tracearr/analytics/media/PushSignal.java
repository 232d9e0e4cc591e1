package io.tracearr.analytics.media;

import java.util.List;

/**
 * What one message on a server's push channel means to the watcher. The poll stays the source of
 * truth: a push only makes the next poll come sooner (or, for Jellyfin/Emby {@code Sessions},
 * carries a poll's worth itself).
 */
public sealed interface PushSignal {

  /**
   * Something about playback changed: poll now. {@code sessionKeys} names the server sessions when
   * the message did.
   */
  record PollNow(String why, List<String> sessionKeys) implements PushSignal {
    public PollNow {
      sessionKeys = List.copyOf(sessionKeys);
    }
  }

  /** Jellyfin/Emby {@code Sessions}: the same array as {@code GET /Sessions}, already parsed. */
  record SessionsSnapshot(List<ObservedPlayback> playing) implements PushSignal {
    public SessionsSnapshot {
      playing = List.copyOf(playing);
    }
  }

  /**
   * Jellyfin/Emby {@code ForceKeepAlive}: the server drops a socket that does not send {@code
   * KeepAlive} in time.
   */
  record KeepAliveRequested(Integer timeoutSeconds) implements PushSignal {}

  /** A well-formed message that says nothing about playback. */
  record Ignored(String type) implements PushSignal {}

  /** Not the documented shape; counted, never fatal to the channel. */
  record Unreadable(String why) implements PushSignal {}
}
