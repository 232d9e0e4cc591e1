package io.tracearr.analytics.media;

import java.util.Locale;

/**
 * The resolution label of a video stream. Classed by width as well as height because films are
 * letter-boxed: a 1920x800 scope picture is 1080p although its height is under 900.
 */
public final class Resolution {

  private Resolution() {}

  /**
   * {@code 2160p}, {@code 1440p}, {@code 1080p}, {@code 720p}, {@code 480p}, {@code sd}; null when
   * both are unknown.
   */
  public static String of(Integer width, Integer height) {
    int w = width == null ? 0 : width;
    int h = height == null ? 0 : height;
    if (w <= 0 && h <= 0) return null;
    if (w >= 3200 || h >= 1800) return "2160p";
    if (w >= 2200 || h >= 1300) return "1440p";
    if (w >= 1600 || h >= 900) return "1080p";
    if (w >= 1100 || h >= 650) return "720p";
    if (w >= 700 || h >= 470) return "480p";
    return "sd";
  }

  /**
   * Plex's own label ({@code Media.videoResolution}: {@code 4k}, {@code 1080}, {@code 720}, {@code
   * 480}, {@code sd}, sometimes with {@code p}/{@code i}) in the same vocabulary; null when it is
   * not one of those.
   */
  public static String ofPlexLabel(String label) {
    if (label == null) return null;
    String t = label.trim().toLowerCase(Locale.ROOT);
    if (t.equals("4k")) return "2160p";
    if (t.equals("sd")) return "sd";
    if (t.endsWith("p") || t.endsWith("i")) t = t.substring(0, t.length() - 1);
    return switch (t) {
      case "2160", "1440", "1080", "720", "480" -> t + "p";
      case "576", "360", "240" -> "sd";
      default -> null;
    };
  }
}
