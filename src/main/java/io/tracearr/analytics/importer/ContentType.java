package io.tracearr.analytics.importer;

/**
 * What was played, in the words of playback_sessions.content_type (imports never carry live TV).
 */
public enum ContentType {
  MOVIE("movie"),
  EPISODE("episode"),
  TRACK("track"),
  OTHER("other");

  private final String wireName;

  ContentType(String wireName) {
    this.wireName = wireName;
  }

  /** The value stored in playback_sessions.content_type. */
  public String wireName() {
    return wireName;
  }
}
