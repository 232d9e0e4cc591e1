package io.tracearr.analytics.importer;

import io.tracearr.analytics.api.Problem;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The {@code source} of an import request, and the reader of each. */
public enum ImportSource {
  TAUTULLI("tautulli"),
  JELLYSTAT("jellystat"),
  PLAYBACK_REPORTING("playback_reporting");

  private final String wireName;

  ImportSource(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /**
   * @throws Problem 400 naming the field {@code source} and the accepted values
   */
  public static ImportSource fromWireName(String name) {
    for (ImportSource s : values()) {
      if (s.wireName.equals(name)) {
        return s;
      }
    }
    String accepted =
        Arrays.stream(values()).map(ImportSource::wireName).collect(Collectors.joining(", "));
    throw Problem.validation(
        "source",
        name == null || name.isBlank()
            ? "is required: one of " + accepted
            : "must be one of " + accepted);
  }

  /** A reader whose times without an offset (Playback Reporting's) are taken as UTC. */
  public HistorySource reader() {
    return reader(ZoneOffset.UTC);
  }

  /**
   * @param serverZone the media server's zone, for sources that write its local time without an
   *     offset
   */
  public HistorySource reader(ZoneId serverZone) {
    return switch (this) {
      case TAUTULLI -> new TautulliReader();
      case JELLYSTAT -> new JellystatReader();
      case PLAYBACK_REPORTING -> new PlaybackReportingReader(serverZone);
    };
  }
}
