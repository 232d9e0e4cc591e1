package io.tracearr.analytics.gateway.http;

import io.vertx.ext.web.RoutingContext;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Each request's id: the {@code X-Request-Id} response header, the {@code instance} of any problem
 * it gets ({@code urn:request:<id>}), and the id in the log line of that failure, so a user's
 * report finds the log.
 */
public final class RequestIds {

  static final String ID_KEY = "request-id";

  /** This process's prefix: ids are unique across the nodes of a cluster without coordination. */
  private static final String PREFIX = UUID.randomUUID().toString().substring(0, 8);

  private static final AtomicLong NEXT = new AtomicLong();

  private RequestIds() {}

  public static String newId() {
    return PREFIX + "-" + Long.toString(NEXT.incrementAndGet(), 36);
  }

  /** First route handler: the request's id, on the response too so a client can quote it. */
  public static void tag(RoutingContext rc) {
    String id = newId();
    rc.put(ID_KEY, id);
    rc.response().putHeader("X-Request-Id", id);
    rc.next();
  }

  public static String requestId(RoutingContext rc) {
    String id = rc.get(ID_KEY);
    return id != null ? id : "-";
  }
}
