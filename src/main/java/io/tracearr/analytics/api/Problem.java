package io.tracearr.analytics.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * An RFC 9457 problem: the only shape an error takes on the way out. Thrown by handlers and
 * repositories' callers, rendered by the gateway's failure handler. Carries no stack trace.
 */
public final class Problem extends RuntimeException {

  public record FieldError(String field, String message) {
    public JsonObject toJson() {
      return new JsonObject().put("field", field).put("message", message);
    }
  }

  private final int status;
  private final String slug;
  private final String title;
  private final List<FieldError> errors;

  public Problem(int status, String slug, String title, String detail, List<FieldError> errors) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.errors = errors == null ? List.of() : List.copyOf(errors);
  }

  public static Problem validation(List<FieldError> errors) {
    String detail =
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid";
    return new Problem(400, "validation-error", "Invalid request", detail, errors);
  }

  public static Problem validation(String field, String message) {
    return validation(List.of(new FieldError(field, message)));
  }

  public static Problem notFound(String detail) {
    return new Problem(404, "not-found", "Not found", detail, null);
  }

  public static Problem conflict(String detail) {
    return new Problem(409, "conflict", "Conflict", detail, null);
  }

  public static Problem forbidden(String detail) {
    return new Problem(403, "forbidden", "Forbidden", detail, null);
  }

  public static Problem unauthorized(String detail) {
    return new Problem(401, "unauthorized", "Unauthorized", detail, null);
  }

  public static Problem unavailable(String detail) {
    return new Problem(503, "unavailable", "Service unavailable", detail, null);
  }

  /** A generic problem for a bare HTTP status (404 route, 405, 413, ...). */
  public static Problem ofStatus(int status) {
    return switch (status) {
      case 400 ->
          new Problem(
              400, "bad-request", "Bad request", "The request could not be understood", null);
      case 401 -> unauthorized("A valid bearer token is required");
      case 403 -> forbidden("This token may not do this");
      case 404 -> notFound("No such resource");
      case 405 ->
          new Problem(
              405,
              "method-not-allowed",
              "Method not allowed",
              "This resource does not support this method",
              null);
      case 413 ->
          new Problem(
              413,
              "payload-too-large",
              "Payload too large",
              "The request body exceeds the size limit",
              null);
      case 415 ->
          new Problem(
              415,
              "unsupported-media-type",
              "Unsupported media type",
              "Send application/json",
              null);
      case 503 -> unavailable("The service cannot serve this right now; retry shortly");
      default ->
          new Problem(
              status,
              status >= 500 ? "internal-error" : "error",
              status >= 500 ? "Internal error" : "Error",
              status >= 500 ? "The service failed to handle this request" : "Request failed",
              null);
    };
  }

  public int status() {
    return status;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public JsonObject toJson() {
    JsonObject json =
        new JsonObject()
            .put("type", "urn:tracearr:problem:" + slug)
            .put("title", title)
            .put("status", status)
            .put("detail", getMessage());
    if (!errors.isEmpty()) {
      JsonArray arr = new JsonArray();
      errors.forEach(e -> arr.add(e.toJson()));
      json.put("errors", arr);
    }
    return json;
  }
}
