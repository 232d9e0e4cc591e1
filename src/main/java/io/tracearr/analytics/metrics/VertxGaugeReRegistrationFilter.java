package io.tracearr.analytics.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops Micrometer's "This Gauge has been already registered" report for Vert.x's own meters
 * ({@code vertx.*}), and only for those. vertx-micrometer 5.0 registers a connection gauge again
 * for every new connection (each PostgreSQL connection re-registers {@code
 * vertx.sql.processing.pending} and {@code vertx.net.client.active.connections}) and shares one
 * counter per meter id, so the values are right; Micrometer 1.14+ reports every re-registration
 * (vert-x3/vertx-micrometer-metrics#259, micrometer-metrics/micrometer#6931, both open). A
 * re-registered meter of our own ({@code analytics_*}) is a bug and is still reported. Installed by
 * logback.xml.
 */
public final class VertxGaugeReRegistrationFilter extends TurboFilter {

  private static final String REGISTRY_LOGGER = "io.micrometer.core.instrument.MeterRegistry";

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || logger == null || !REGISTRY_LOGGER.equals(logger.getName()))
      return FilterReply.NEUTRAL;
    return format.contains("has been already registered (MeterId{name='vertx.")
        ? FilterReply.DENY
        : FilterReply.NEUTRAL;
  }
}
