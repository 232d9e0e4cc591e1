package io.tracearr.analytics.gateway.http;

import io.tracearr.analytics.api.Problem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.UUID;

/**
 * Typed reads of a request's path, query and body, each failing with a 400 problem that names the
 * parameter.
 */
public final class RequestParams {

  private RequestParams() {}

  /** A UUID in canonical form (36 characters); anything else is 400 naming {@code name}. */
  public static UUID uuid(String name, String value) {
    try {
      if (value != null && value.length() == 36) return UUID.fromString(value);
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw Problem.validation(name, "must be a UUID");
  }

  public static UUID pathUuid(RoutingContext rc, String name) {
    return uuid(name, rc.pathParam(name));
  }

  /** An optional UUID query parameter: null when absent or empty. */
  public static UUID optionalUuid(RoutingContext rc, String name) {
    String v = rc.queryParams().get(name);
    return v == null || v.isEmpty() ? null : uuid(name, v);
  }

  public static int intParam(RoutingContext rc, String name, int dflt, int min, int max) {
    String v = rc.queryParams().get(name);
    if (v == null || v.isEmpty()) return dflt;
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) return n;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw Problem.validation(name, "must be an integer " + min + ".." + max);
  }

  /** An optional query parameter that must be one of {@code allowed}: null when absent or empty. */
  public static String optionalOneOf(RoutingContext rc, String name, Set<String> allowed) {
    String v = rc.queryParams().get(name);
    if (v == null || v.isEmpty()) return null;
    if (allowed.contains(v)) return v;
    throw Problem.validation(
        name, "must be one of " + String.join(", ", allowed.stream().sorted().toList()));
  }

  /**
   * The body as a JSON object, empty when there is none; the gateway has already rejected malformed
   * JSON.
   */
  public static JsonObject jsonBody(RoutingContext rc) {
    return rc.body().isEmpty() ? new JsonObject() : rc.body().asJsonObject();
  }

  /**
   * The contract marks these bodies required; an empty request is refused before it reaches a
   * command.
   */
  public static JsonObject requiredBody(RoutingContext rc) {
    if (rc.body().isEmpty()) throw Problem.validation("body", "is required");
    return rc.body().asJsonObject();
  }
}
