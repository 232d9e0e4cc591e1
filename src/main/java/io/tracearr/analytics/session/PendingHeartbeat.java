package io.tracearr.analytics.session;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The heartbeats of one session since the last flush, coalesced. Later values win; played time and
 * transferred bytes between coalesced heartbeats are added up here, so one row per session per
 * batch is exact.
 */
final class PendingHeartbeat {

  final UUID sessionId;
  final Instant firstAt;
  Instant lastAt;

  /** status in effect after the latest coalesced heartbeat (null: unchanged from the stored one) */
  String status;

  /** the status the stretch after {@link #lastAt} will be judged by; known from the cache */
  String effectiveStatus;

  double extraPlayedSeconds;
  long extraBytes;
  Long bytesTransferred;
  Double positionSeconds;
  Integer bandwidthKbps;

  /** the bandwidth in effect for integrating bytes between coalesced heartbeats */
  int effectiveBandwidthKbps;

  Boolean transcoded;
  String resolution;
  String ipAddress;
  SessionRepository.Geo geo;

  PendingHeartbeat(UUID sessionId, Instant at, String knownStatus, int knownBandwidthKbps) {
    this.sessionId = sessionId;
    this.firstAt = at;
    this.lastAt = at;
    this.effectiveStatus = knownStatus;
    this.effectiveBandwidthKbps = knownBandwidthKbps;
  }

  /** Folds one more heartbeat received at {@code at} into this one. */
  void add(SessionInput.Heartbeat hb, Instant at, SessionRepository.Geo ipGeo) {
    if (at.isAfter(lastAt)) {
      double seconds = Duration.between(lastAt, at).toNanos() / 1e9;
      if ("playing".equals(effectiveStatus)) {
        extraPlayedSeconds += seconds;
        extraBytes += (long) (effectiveBandwidthKbps * 125.0 * seconds);
      }
      lastAt = at;
    }
    apply(hb, ipGeo);
  }

  /**
   * The values of the first heartbeat of a batch (its stretch is judged in SQL by the stored
   * status).
   */
  void apply(SessionInput.Heartbeat hb, SessionRepository.Geo ipGeo) {
    if (hb.status() != null) {
      status = hb.status();
      effectiveStatus = hb.status();
    }
    if (hb.positionSeconds() != null) positionSeconds = hb.positionSeconds();
    if (hb.bandwidthKbps() != null) {
      bandwidthKbps = hb.bandwidthKbps();
      effectiveBandwidthKbps = hb.bandwidthKbps();
    }
    if (hb.bytesTransferred() != null) {
      bytesTransferred =
          bytesTransferred == null
              ? hb.bytesTransferred()
              : Math.max(bytesTransferred, hb.bytesTransferred());
    }
    if (hb.transcoded() != null) transcoded = hb.transcoded();
    if (hb.resolution() != null) resolution = hb.resolution();
    if (hb.ipAddress() != null) {
      ipAddress = hb.ipAddress();
      geo = ipGeo;
    }
  }

  /**
   * Folds a later pending entry into this older one: used when a batch write failed and newer
   * heartbeats arrived meanwhile, so nothing is lost while the database is away.
   */
  void absorbLater(PendingHeartbeat later) {
    if (later.firstAt.isAfter(lastAt) && "playing".equals(effectiveStatus)) {
      double gap = Duration.between(lastAt, later.firstAt).toNanos() / 1e9;
      extraPlayedSeconds += gap;
      extraBytes += (long) (effectiveBandwidthKbps * 125.0 * gap);
    }
    extraPlayedSeconds += later.extraPlayedSeconds;
    extraBytes += later.extraBytes;
    if (later.lastAt.isAfter(lastAt)) lastAt = later.lastAt;
    if (later.status != null) status = later.status;
    effectiveStatus = later.effectiveStatus;
    effectiveBandwidthKbps = later.effectiveBandwidthKbps;
    if (later.positionSeconds != null) positionSeconds = later.positionSeconds;
    if (later.bandwidthKbps != null) bandwidthKbps = later.bandwidthKbps;
    if (later.bytesTransferred != null) {
      bytesTransferred =
          bytesTransferred == null
              ? later.bytesTransferred
              : Math.max(bytesTransferred, later.bytesTransferred);
    }
    if (later.transcoded != null) transcoded = later.transcoded;
    if (later.resolution != null) resolution = later.resolution;
    if (later.ipAddress != null) {
      ipAddress = later.ipAddress;
      geo = later.geo;
    }
  }
}
