package io.tracearr.analytics.geo;

/** Great-circle distances between locations. */
public final class GeoMath {

  public static final double EARTH_RADIUS_KM = 6371.0;

  private GeoMath() {}

  public static double haversineKm(double lat1, double lon1, double lat2, double lon2) {
    double dLat = Math.toRadians(lat2 - lat1);
    double dLon = Math.toRadians(lon2 - lon1);
    double a =
        Math.pow(Math.sin(dLat / 2), 2)
            + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2))
                * Math.pow(Math.sin(dLon / 2), 2);
    // min() guards against a > 1 from rounding, which would make asin() return NaN
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1.0, Math.sqrt(a)));
  }

  public static double haversineKm(Location a, Location b) {
    return haversineKm(a.latitude(), a.longitude(), b.latitude(), b.longitude());
  }

  /**
   * The smallest distance the two locations can really be apart: each point may be off by its
   * accuracy radius, so a vague (e.g. country centroid) location cannot prove a long distance.
   */
  public static double effectiveDistanceKm(Location a, Location b) {
    return Math.max(0.0, haversineKm(a, b) - a.accuracyKm() - b.accuracyKm());
  }
}
