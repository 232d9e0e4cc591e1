package io.tracearr.analytics.importer;

import java.time.Instant;
import java.util.Objects;

/**
 * One past playback read from another tool's history, in our terms. Ids are the source's own (a
 * Plex rating key, a Jellyfin user id...): the importer turns them into UUIDv5s with the server id,
 * the same mapping the live connector uses, so imported and live sessions of one person meet on one
 * user.
 *
 * <p>The constructor holds the invariants every reader guarantees, so a caller can trust any
 * instance: readers skip (and count) rows that would break them rather than construct them.
 *
 * @param sourceRowId stable across re-imports of the same file, e.g. {@code
 *     tautulli:session_history:123}; the session id is derived from it, which makes a second import
 *     add nothing
 * @param playedSeconds time actually played: stopped − started − paused where the source knows
 *     pauses
 * @param positionSeconds where playback stopped in the media, 0 when the source does not say
 * @param mediaDurationSeconds the title's length, null when unknown
 * @param bandwidthKbps 0 when the source does not say
 */
public record ImportedSession(
    String sourceRowId,
    String externalUserId,
    String userName,
    String externalItemId,
    ContentType contentType,
    String title,
    String seriesTitle,
    Integer seasonNumber,
    Integer episodeNumber,
    Integer year,
    Double mediaDurationSeconds,
    String deviceId,
    String deviceName,
    String clientName,
    String platform,
    String ipAddress,
    Instant startedAt,
    Instant endedAt,
    long playedSeconds,
    double positionSeconds,
    boolean transcoded,
    String resolution,
    int bandwidthKbps) {

  public ImportedSession {
    Objects.requireNonNull(sourceRowId, "sourceRowId");
    Objects.requireNonNull(externalUserId, "externalUserId");
    Objects.requireNonNull(externalItemId, "externalItemId");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    if (endedAt.isBefore(startedAt)) {
      throw new IllegalArgumentException(sourceRowId + ": ended before it started");
    }
    if (playedSeconds < 0 || positionSeconds < 0 || bandwidthKbps < 0) {
      throw new IllegalArgumentException(
          sourceRowId + ": negative played time, position or bandwidth");
    }
  }
}
