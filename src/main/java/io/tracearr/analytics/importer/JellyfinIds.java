package io.tracearr.analytics.importer;

import java.util.Locale;

/**
 * Jellyfin writes the same GUID as "a11ce000…0001" (its API, Jellystat, Playback Reporting) or with
 * dashes and upper case (some clients). The UUIDv5 of a user or item is taken over this text, so
 * every source must spell one id the same way the live connector does: lower case, no dashes.
 */
final class JellyfinIds {

  private JellyfinIds() {}

  static String normalize(String id) {
    if (id == null || id.isBlank()) {
      return null;
    }
    String trimmed = id.trim();
    String compact = trimmed.replace("-", "").toLowerCase(Locale.ROOT);
    return compact.length() == 32 && compact.chars().allMatch(c -> Character.digit(c, 16) >= 0)
        ? compact
        : trimmed;
  }
}
