package io.tracearr.analytics.session;

import io.tracearr.analytics.geo.GeoLocator;
import io.tracearr.analytics.geo.Location;
import io.tracearr.analytics.metrics.DomainMetrics;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's view of the GeoIP database: a session's IP address → its geo columns, or null when
 * the address is not (or must never be) located. Lookups are memory-mapped reads behind a cache,
 * cheap enough for the event loop.
 */
public final class SessionGeo implements Function<String, SessionRepository.Geo> {

  private static final Logger log = LoggerFactory.getLogger(SessionGeo.class);

  private final GeoLocator locator;
  private final DomainMetrics metrics;

  public SessionGeo(GeoLocator locator, DomainMetrics metrics) {
    this.locator = locator;
    this.metrics = metrics;
  }

  @Override
  public SessionRepository.Geo apply(String ip) {
    if (ip == null) return null;
    GeoLocator.Lookup lookup;
    try {
      lookup = locator.lookup(ip);
    } catch (RuntimeException e) {
      // a corrupt record must not cost the session its start: it is just not located
      metrics.geoLookup("error");
      log.warn("GeoIP lookup failed: {}", e.toString());
      return null;
    }
    metrics.geoLookup(lookup.outcome().name().toLowerCase(Locale.ROOT));
    return lookup.location().map(SessionGeo::toGeo).orElse(null);
  }

  private static SessionRepository.Geo toGeo(Location l) {
    return new SessionRepository.Geo(
        l.city(), l.country(), l.latitude(), l.longitude(), l.accuracyKm());
  }
}
