package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.api.Problem.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Translates an OpenAPI contract violation into a 400 problem that names each field and why. */
final class ContractProblems {

  private static final Pattern PARAMETER =
      Pattern.compile("(path|query|header|cookie) parameter ([A-Za-z0-9_\\-]+)");
  private static final Pattern REQUIRED =
      Pattern.compile("required propert(?:y|ies) \"?'?([A-Za-z0-9_]+)");

  private ContractProblems() {}

  /**
   * @param operation the operation whose request failed: its schemas phrase the message ("must be a
   *     UUID string", "must be one of ...") instead of the validator's generic words
   */
  static Problem from(ValidatorException e, Operation operation) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    Matcher param = PARAMETER.matcher(message);
    if (param.find()) {
      String name = param.group(2);
      if (e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER)
        return Problem.validation(name, "is required");
      JsonSchema schema = parameterSchema(operation, name);
      return Problem.validation(
          name, schema != null ? describe(schema::get) : "is invalid: " + reasonOf(e, message));
    }
    if (e instanceof SchemaValidationException sve && sve.getOutputUnit() != null) {
      Map<String, String> fields = new LinkedHashMap<>();
      collect(sve.getOutputUnit(), fields);
      if (!fields.isEmpty()) {
        JsonObject properties = bodyProperties(operation);
        List<FieldError> errors = new ArrayList<>();
        fields.forEach(
            (f, m) -> {
              JsonObject prop = properties == null ? null : properties.getJsonObject(f);
              errors.add(
                  new FieldError(
                      f, prop != null && !"is required".equals(m) ? describe(prop::getValue) : m));
            });
        return Problem.validation(errors);
      }
    }
    if (message.contains("content type")
        || message.contains("Content-Type")
        || e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
      return new Problem(
          415,
          "unsupported-media-type",
          "Unsupported media type",
          "Send the body as application/json",
          null);
    }
    return Problem.validation("body", message.isBlank() ? "does not match the contract" : message);
  }

  private static JsonSchema parameterSchema(Operation op, String name) {
    if (op == null) return null;
    for (Parameter p : op.getParameters()) if (p.getName().equals(name)) return p.getSchema();
    return null;
  }

  private static JsonObject bodyProperties(Operation op) {
    if (op == null || op.getRequestBody() == null) return null;
    MediaType json = op.getRequestBody().getContent().get("application/json");
    if (json == null || json.getSchema() == null) return null;
    Object props = json.getSchema().get("properties");
    return props instanceof JsonObject o ? o : null;
  }

  /** What the contract allows for one value, in words. */
  static String describe(java.util.function.Function<String, Object> schema) {
    Object enumValues = schema.apply("enum");
    if (enumValues instanceof JsonArray arr) {
      List<String> values = new ArrayList<>();
      for (Object v : arr) if (v != null) values.add(String.valueOf(v));
      return "must be one of " + String.join(", ", values);
    }
    String format = schema.apply("format") instanceof String f ? f : null;
    if ("uuid".equals(format)) return "must be a UUID string";
    if ("date-time".equals(format))
      return "must be an RFC 3339 date-time with offset, e.g. 2026-01-31T20:15:00Z";
    if ("date".equals(format)) return "must be a date YYYY-MM-DD";
    Object type = schema.apply("type");
    String t =
        type instanceof JsonArray arr ? String.valueOf(arr.getValue(0)) : String.valueOf(type);
    Object min = schema.apply("minimum");
    Object max = schema.apply("maximum");
    String range =
        min != null && max != null
            ? " between " + min + " and " + max
            : min != null ? " of at least " + min : max != null ? " of at most " + max : "";
    return switch (t) {
      case "integer" -> "must be an integer" + range;
      case "number" -> "must be a number" + range;
      case "boolean" -> "must be true or false";
      case "string" ->
          schema.apply("maxLength") != null
              ? "must be a string of at most "
                  + schema.apply("maxLength")
                  + " characters"
                  + (schema.apply("minLength") != null ? ", not empty" : "")
              : "must be a string";
      case "object" -> "must be a JSON object";
      case "array" -> "must be a JSON array";
      default -> "is invalid";
    };
  }

  private static String reasonOf(ValidatorException e, String message) {
    if (e instanceof SchemaValidationException sve && sve.getOutputUnit() != null) {
      Map<String, String> fields = new LinkedHashMap<>();
      collect(sve.getOutputUnit(), fields);
      if (!fields.isEmpty()) return fields.values().iterator().next();
    }
    int i = message.indexOf("Reason:");
    return i >= 0 ? message.substring(i + 7).trim() : message;
  }

  private static void collect(OutputUnit unit, Map<String, String> out) {
    if (unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      for (OutputUnit child : unit.getErrors()) collect(child, out);
      return;
    }
    if (Boolean.TRUE.equals(unit.getValid())) return;
    String error = unit.getError() == null ? "" : unit.getError();
    String field = pointerToField(unit.getInstanceLocation());
    Matcher required = REQUIRED.matcher(error);
    if (required.find()) {
      out.putIfAbsent(
          field.isEmpty() ? required.group(1) : field + "." + required.group(1), "is required");
      return;
    }
    if (field.isEmpty()) field = "body";
    out.putIfAbsent(field, explain(unit.getKeywordLocation(), error));
  }

  private static String pointerToField(String pointer) {
    if (pointer == null) return "";
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    if (p.startsWith("/")) p = p.substring(1);
    return p.replace('/', '.').replace("~1", "/").replace("~0", "~");
  }

  private static String explain(String keywordLocation, String error) {
    String keyword =
        keywordLocation == null
            ? ""
            : keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
    return switch (keyword) {
      case "type" -> "has the wrong type (" + error + ")";
      case "enum" -> "is not one of the allowed values";
      case "format" -> "has an invalid format (" + error + ")";
      case "maxLength" -> "is too long";
      case "minLength" -> "is too short or empty";
      case "minimum", "exclusiveMinimum" -> "is below the minimum (" + error + ")";
      case "maximum", "exclusiveMaximum" -> "is above the maximum (" + error + ")";
      default -> error.isBlank() ? "is invalid" : error;
    };
  }
}
