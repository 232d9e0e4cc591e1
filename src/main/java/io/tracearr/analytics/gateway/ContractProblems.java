package io.tracearr.analytics.gateway;

import io.tracearr.analytics.gateway.Problem.FieldError;
import io.vertx.json.schema.OutputUnit;
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

  private static final Pattern PARAMETER = Pattern.compile("(path|query|header|cookie) parameter ([A-Za-z0-9_\\-]+)");
  private static final Pattern REQUIRED = Pattern.compile("required propert(?:y|ies) \"?'?([A-Za-z0-9_]+)");

  private ContractProblems() {}

  static Problem from(ValidatorException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    Matcher param = PARAMETER.matcher(message);
    if (param.find()) {
      String name = param.group(2);
      String why = e.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER ? "is required" : "is invalid: " + reasonOf(e, message);
      return Problem.validation(name, why);
    }
    if (e instanceof SchemaValidationException sve && sve.getOutputUnit() != null) {
      Map<String, String> fields = new LinkedHashMap<>();
      collect(sve.getOutputUnit(), fields);
      if (!fields.isEmpty()) {
        List<FieldError> errors = new ArrayList<>();
        fields.forEach((f, m) -> errors.add(new FieldError(f, m)));
        return Problem.validation(errors);
      }
    }
    if (message.contains("content type") || message.contains("Content-Type") || e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
      return new Problem(415, "unsupported-media-type", "Unsupported media type", "Send the body as application/json", null);
    }
    return Problem.validation("body", message.isBlank() ? "does not match the contract" : message);
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
      out.putIfAbsent(field.isEmpty() ? required.group(1) : field + "." + required.group(1), "is required");
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
    String keyword = keywordLocation == null ? "" : keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
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
