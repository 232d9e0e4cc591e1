package io.tracearr.analytics.detect.rules;

import io.tracearr.analytics.geo.GeoMath;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Two located sessions compared by distance; {@code first} started no later than {@code second}.
 */
record SessionPair(SessionView first, SessionView second) {

  boolean sameDevice() {
    return first.deviceKey().equals(second.deviceKey());
  }

  double rawDistanceKm() {
    return GeoMath.haversineKm(first.location(), second.location());
  }

  double effectiveDistanceKm() {
    return GeoMath.effectiveDistanceKm(first.location(), second.location());
  }

  Set<UUID> sessionIds() {
    return Set.copyOf(List.of(first.id(), second.id()));
  }

  Set<String> deviceKeys() {
    return Set.copyOf(List.of(first.deviceKey(), second.deviceKey()));
  }

  /**
   * Adds user_name, then session_ids, device_keys, device_names, locations and ip_addresses, each
   * listing the first session first.
   */
  JsonObject describeInto(JsonObject evidence) {
    return evidence
        .put("user_name", first.userName() != null ? first.userName() : second.userName())
        .put("session_ids", new JsonArray().add(first.id().toString()).add(second.id().toString()))
        .put("device_keys", new JsonArray().add(first.deviceKey()).add(second.deviceKey()))
        .put("device_names", new JsonArray().add(first.deviceName()).add(second.deviceName()))
        .put(
            "locations",
            new JsonArray().add(first.location().toJson()).add(second.location().toJson()))
        .put("ip_addresses", new JsonArray().add(first.ipAddress()).add(second.ipAddress()));
  }
}
