package io.tracearr.analytics.importer;

import java.util.Locale;

/**
 * One vocabulary for resolution across sources ("1080p", "720p", "4k", "sd"), so the stats group a
 * Plex "1080" and a Jellyfin 1080-line stream together.
 */
final class Resolutions {

  private Resolutions() {}

  /** Plex / Tautulli labels: "1080", "720", "480", "4k", "sd"; blank means no video (music). */
  static String fromPlexLabel(String label) {
    if (label == null || label.isBlank()) {
      return null;
    }
    String l = label.trim().toLowerCase(Locale.ROOT);
    if (l.chars().allMatch(Character::isDigit)) {
      return l + "p";
    }
    return l.length() > 20 ? l.substring(0, 20) : l;
  }

  /**
   * A stream's height in lines, bucketed the way players label it: a 1920×800 scope film is
   * "1080p", not "800p".
   */
  static String fromHeight(Long height) {
    if (height == null || height <= 0) {
      return null;
    }
    if (height > 1080) {
      return height >= 1600 ? "4k" : "1440p";
    }
    if (height > 720) {
      return "1080p";
    }
    if (height > 576) {
      return "720p";
    }
    if (height > 480) {
      return "576p";
    }
    return height > 360 ? "480p" : "sd";
  }
}
