package io.tracearr.analytics.media;

/**
 * Assembles an {@link ObservedPlayback} in the groups a session payload has: keys, user, device,
 * state, stream, content.
 */
final class PlaybackBuilder {

  private String serverSessionKey;
  private String controlId;
  private String itemId;
  private String externalUserId;
  private String userName;
  private String deviceId;
  private String deviceName;
  private String client;
  private String platform;
  private String ipAddress;
  private String status = "playing";
  private double positionSeconds;
  private boolean transcoded;
  private String resolution;
  private Integer bandwidthKbps;
  private String contentType = "other";
  private String title;
  private String seriesTitle;
  private Integer seasonNumber;
  private Integer episodeNumber;
  private Integer year;
  private Double durationSeconds;

  PlaybackBuilder keys(String serverSessionKey, String controlId, String itemId) {
    this.serverSessionKey = serverSessionKey;
    this.controlId = controlId;
    this.itemId = itemId;
    return this;
  }

  PlaybackBuilder user(String externalUserId, String userName) {
    this.externalUserId = externalUserId;
    this.userName = userName;
    return this;
  }

  PlaybackBuilder device(
      String deviceId, String deviceName, String client, String platform, String ipAddress) {
    this.deviceId = deviceId;
    this.deviceName = deviceName;
    this.client = client;
    this.platform = platform;
    this.ipAddress = ipAddress;
    return this;
  }

  PlaybackBuilder state(String status, double positionSeconds) {
    this.status = status;
    this.positionSeconds = positionSeconds;
    return this;
  }

  PlaybackBuilder stream(boolean transcoded, String resolution, Integer bandwidthKbps) {
    this.transcoded = transcoded;
    this.resolution = resolution;
    this.bandwidthKbps = bandwidthKbps;
    return this;
  }

  PlaybackBuilder content(
      String contentType,
      String title,
      String seriesTitle,
      Integer seasonNumber,
      Integer episodeNumber,
      Integer year,
      Double durationSeconds) {
    this.contentType = contentType;
    this.title = title;
    this.seriesTitle = seriesTitle;
    this.seasonNumber = seasonNumber;
    this.episodeNumber = episodeNumber;
    this.year = year;
    this.durationSeconds = durationSeconds;
    return this;
  }

  ObservedPlayback build() {
    return new ObservedPlayback(
        serverSessionKey,
        controlId,
        itemId,
        externalUserId,
        userName,
        deviceId,
        deviceName,
        client,
        platform,
        ipAddress,
        status,
        positionSeconds,
        transcoded,
        resolution,
        bandwidthKbps,
        contentType,
        title,
        seriesTitle,
        seasonNumber,
        episodeNumber,
        year,
        durationSeconds);
  }
}
