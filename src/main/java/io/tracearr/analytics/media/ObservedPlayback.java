package io.tracearr.analytics.media;

import java.util.Objects;

/**
 * One item playing on one server session, as one poll saw it. Server-neutral: the parsers map
 * Jellyfin/Emby {@code SessionInfo} and Plex {@code /status/sessions} metadata onto it; {@link
 * PlaybackTracker} turns a poll's worth of them into session commands. Optional facts are null when
 * the server did not say.
 *
 * @param serverSessionKey the server's key for the playing session (Jellyfin/Emby {@code
 *     SessionInfo.Id}, Plex {@code sessionKey}); with {@link #itemId} it names the playback
 * @param controlId what the server's stop/message calls take: Jellyfin/Emby {@code SessionInfo.Id},
 *     Plex {@code Session.id} (not the sessionKey: {@code /status/sessions/terminate} wants {@code
 *     Session.id})
 * @param itemId Jellyfin/Emby {@code NowPlayingItem.Id}, Plex {@code ratingKey}
 * @param client the application: Jellyfin/Emby {@code Client}, Plex {@code Player.product}
 * @param platform Plex {@code Player.platform}; null for Jellyfin/Emby (their session has no such
 *     field)
 * @param ipAddress a valid IPv4/IPv6 literal, or null when the server reported none that parses
 * @param status {@code playing}, {@code paused} or {@code buffering}
 * @param transcoded the server converts the video (or, for audio, the stream) on the fly
 * @param resolution e.g. {@code 1080p}, {@code 2160p}, {@code sd}; null for audio or unknown
 * @param bandwidthKbps kilobits per second of the stream, null when unknown
 * @param contentType one of {@code movie, episode, track, live, other} (the registry's content
 *     types)
 * @param durationSeconds the item's runtime
 */
public record ObservedPlayback(
    String serverSessionKey,
    String controlId,
    String itemId,
    String externalUserId,
    String userName,
    String deviceId,
    String deviceName,
    String client,
    String platform,
    String ipAddress,
    String status,
    double positionSeconds,
    boolean transcoded,
    String resolution,
    Integer bandwidthKbps,
    String contentType,
    String title,
    String seriesTitle,
    Integer seasonNumber,
    Integer episodeNumber,
    Integer year,
    Double durationSeconds) {

  public ObservedPlayback {
    Objects.requireNonNull(serverSessionKey, "serverSessionKey");
    Objects.requireNonNull(itemId, "itemId");
    Objects.requireNonNull(externalUserId, "externalUserId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(contentType, "contentType");
  }

  public boolean paused() {
    return "paused".equals(status);
  }
}
