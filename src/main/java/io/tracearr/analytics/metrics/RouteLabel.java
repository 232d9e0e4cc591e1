package io.tracearr.analytics.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code route} label of the Vert.x HTTP meters, made readable. Vert.x Web reports every route
 * a request matched, joined by {@code >}: each {@code /api/v1/*} handler (body, JSON check, auth,
 * the contract sub-router) adds its prefix, so a heartbeat shows as {@code
 * /api/v1/>/api/v1/>…>/analytics/sessions/:id}. The label becomes the template a person reads,
 * {@code /api/v1/analytics/sessions/:id}. Values still come from route templates only (never a
 * request path), so they stay bounded.
 */
public final class RouteLabel {

  private RouteLabel() {}

  public static MeterFilter filter() {
    return MeterFilter.replaceTagValues("route", RouteLabel::tidy);
  }

  /** The deepest route matched, under the mount prefix that precedes it. */
  static String tidy(String chain) {
    if (chain == null || chain.indexOf('>') < 0) return chain;
    List<String> routes = new ArrayList<>();
    for (String r : chain.split(">")) {
      if (r.isEmpty() || (!routes.isEmpty() && routes.get(routes.size() - 1).equals(r))) continue;
      routes.add(r);
    }
    if (routes.isEmpty()) return "";
    String leaf = routes.get(routes.size() - 1);
    if (routes.size() == 1 || leaf.endsWith("/")) return leaf;
    String mount = routes.get(routes.size() - 2);
    if (!mount.endsWith("/")) return leaf;
    return mount.substring(0, mount.length() - 1) + (leaf.startsWith("/") ? leaf : "/" + leaf);
  }
}
