package io.tracearr.analytics.geo;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Where an IP address is, and how sure the database is about it.
 *
 * @param city city name, or {@code null} when the database only knows the country
 * @param country ISO 3166-1 alpha-2 country code, may be {@code null}
 * @param accuracyKm radius around the point within which the address is expected to be
 */
public record Location(
    String city, String country, double latitude, double longitude, int accuracyKm) {

  public Location {
    if (!Double.isFinite(latitude) || latitude < -90 || latitude > 90) {
      throw new IllegalArgumentException("latitude out of range: " + latitude);
    }
    if (!Double.isFinite(longitude) || longitude < -180 || longitude > 180) {
      throw new IllegalArgumentException("longitude out of range: " + longitude);
    }
    if (accuracyKm < 0) {
      throw new IllegalArgumentException("accuracyKm must be >= 0: " + accuracyKm);
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("city", city)
        .put("country", country)
        .put("latitude", latitude)
        .put("longitude", longitude)
        .put("accuracy_km", accuracyKm);
  }

  /**
   * @return the location, or {@code null} for a {@code null} object
   */
  public static Location fromJson(JsonObject json) {
    if (json == null) {
      return null;
    }
    Double latitude = json.getDouble("latitude");
    Double longitude = json.getDouble("longitude");
    Objects.requireNonNull(latitude, "location json has no latitude");
    Objects.requireNonNull(longitude, "location json has no longitude");
    return new Location(
        json.getString("city"),
        json.getString("country"),
        latitude,
        longitude,
        json.getInteger("accuracy_km", 0));
  }
}
