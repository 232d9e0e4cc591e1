package io.tracearr.analytics.media;

import java.util.List;

/** The outcome of one poll of one server, as {@link PlaybackTracker} needs it. */
public sealed interface PollResult {

  /** The server answered: these are all the items playing on it now. */
  record Seen(List<ObservedPlayback> playing) implements PollResult {
    public Seen {
      playing = List.copyOf(playing);
    }
  }

  /**
   * The server could not be asked or did not answer usefully (down, refused, slow, garbage): it
   * says nothing about what is playing, so nothing may be ended on its account.
   */
  record Unreachable(String why) implements PollResult {}

  static PollResult seen(List<ObservedPlayback> playing) {
    return new Seen(playing);
  }

  static PollResult unreachable(String why) {
    return new Unreachable(why);
  }
}
