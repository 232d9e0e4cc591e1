package io.tracearr.analytics.gateway;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.junit5.VertxExtension;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link ContractValidation} subclasses vertx-openapi's {@code RequestValidatorImpl} for speed (one
 * schema validator per schema, on the event loop). This holds it to the library: requests generated
 * from every operation of {@code openapi.yaml} (path and query parameters and bodies: valid ones,
 * wrong types, missing required fields, extra fields, out-of-range numbers, bad formats and enums,
 * too long or short strings, bodies that are not objects or not JSON) go through a real server and
 * the contract router's own request extraction, then to the library's {@link RequestValidator} and
 * to ours. Both must give the same verdict: valid with the same values, or invalid with the same
 * error type, message and problem fields.
 */
@ExtendWith(VertxExtension.class)
class ContractValidationEquivalenceTest {

  private static final int TIMEOUT_SECONDS = 60;
  private static final String UUID_SAMPLE = "3f1c2b9a-5d4e-4f60-9a1b-2c3d4e5f6a7b";

  /** One generated request; {@code name} says what it varies. */
  private record Case(
      String name, HttpMethod method, String uri, String contentType, String body) {}

  @Test
  void theLibrarysValidatorAndOursGiveTheSameVerdictsOverRequestsGeneratedFromTheContract(
      Vertx vertx) throws Exception {
    Buffer yaml = vertx.fileSystem().readFile("openapi.yaml").await(TIMEOUT_SECONDS, SECONDS);
    JsonObject raw = GatewayVerticle.routable(yaml);
    // the contract model annotates the tree it is given; cases are generated from the file as
    // written
    OpenAPIContract contract =
        OpenAPIContract.from(vertx, raw.copy()).await(TIMEOUT_SECONDS, SECONDS);
    int port =
        vertx
            .createHttpServer()
            .requestHandler(comparingRouter(vertx, contract))
            .listen(0, "127.0.0.1")
            .await(TIMEOUT_SECONDS, SECONDS)
            .actualPort();

    List<Case> cases = cases(raw);
    HttpClient client = vertx.createHttpClient();
    List<Future<JsonObject>> replies = new ArrayList<>();
    for (Case c : cases) replies.add(send(client, port, c));
    Future.all(replies).await(TIMEOUT_SECONDS, SECONDS);

    List<String> mismatches = new ArrayList<>();
    int valid = 0;
    int invalid = 0;
    for (int i = 0; i < cases.size(); i++) {
      JsonObject verdicts = replies.get(i).result();
      String library = verdicts.getString("library");
      String ours = verdicts.getString("ours");
      if (!library.equals(ours))
        mismatches.add(cases.get(i).name() + "\n  library: " + library + "\n  ours:    " + ours);
      if (library.startsWith("valid")) valid++;
      else invalid++;
    }
    assertEquals(
        List.of(), mismatches, mismatches.size() + " of " + cases.size() + " verdicts differ");
    // the comparison means something only over enough of both kinds
    assertTrue(cases.size() >= 100, "only " + cases.size() + " requests generated");
    assertTrue(valid >= 30 && invalid >= 60, valid + " valid and " + invalid + " invalid requests");
  }

  /**
   * The gateway's contract routing, but each route answers with both validators' verdicts instead
   * of handling the request.
   */
  private static Router comparingRouter(Vertx vertx, OpenAPIContract contract) {
    RequestExtractor extractor = RequestExtractor.withBodyHandler();
    RequestValidator library = RequestValidator.create(vertx, contract);
    ContractValidation ours = new ContractValidation(vertx, contract);
    RouterBuilder builder = RouterBuilder.create(vertx, contract, extractor);
    for (OpenAPIRoute route : builder.getRoutes()) {
      Operation op = route.getOperation();
      route
          .setDoValidation(false)
          .addHandler(
              rc ->
                  extractor
                      .extractValidatableRequest(rc, op)
                      .onComplete(
                          extracted -> {
                            if (extracted.failed()) {
                              rc.fail(extracted.cause());
                              return;
                            }
                            Future<ValidatedRequest> theirs =
                                library.validate(extracted.result(), op.getOperationId());
                            Future<ValidatedRequest> mine =
                                ours.validate(extracted.result(), op.getOperationId());
                            Future.join(theirs, mine)
                                .onComplete(
                                    done ->
                                        rc.json(
                                            new JsonObject()
                                                .put("library", verdict(theirs, op))
                                                .put("ours", verdict(mine, op))));
                          }));
    }
    Router root = Router.router(vertx);
    root.route("/api/v1/*").handler(BodyHandler.create(false));
    root.route("/api/v1/*").subRouter(builder.createRouter());
    return root;
  }

  /**
   * What a caller would see of a validation: the values it yields, or the error and the problem's
   * fields.
   */
  private static String verdict(Future<ValidatedRequest> result, Operation op) {
    if (result.succeeded()) {
      ValidatedRequest v = result.result();
      return "valid path="
          + values(v.getPathParameters())
          + " query="
          + values(v.getQuery())
          + " body="
          + (v.getBody() == null ? null : v.getBody().get());
    }
    Throwable e = result.cause();
    if (e instanceof ValidatorException ve) {
      return "invalid "
          + ve.getClass().getSimpleName()
          + " "
          + ve.type()
          + ": "
          + ve.getMessage()
          + " → "
          + ContractProblems.from(ve, op).toJson().encode();
    }
    return "failed " + e;
  }

  private static Map<String, Object> values(Map<String, RequestParameter> params) {
    Map<String, Object> out = new TreeMap<>();
    params.forEach((k, v) -> out.put(k, v == null ? null : v.get()));
    return out;
  }

  private static Future<JsonObject> send(HttpClient client, int port, Case c) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(c.method())
            .setPort(port)
            .setHost("127.0.0.1")
            .setURI(c.uri());
    if (c.contentType() != null) options.putHeader("Content-Type", c.contentType());
    return client
        .request(options)
        .compose(req -> c.body() == null ? req.send() : req.send(c.body()))
        .compose(
            resp ->
                resp.body()
                    .map(
                        body -> {
                          if (resp.statusCode() != 200) {
                            throw new AssertionError(
                                c.name()
                                    + ": the comparing route answered "
                                    + resp.statusCode()
                                    + " "
                                    + body);
                          }
                          return body.toJsonObject();
                        }));
  }

  // ---- the generated requests
  // ---------------------------------------------------------------------------

  /**
   * Every operation: a valid request, then each parameter and body property varied one at a time.
   */
  private static List<Case> cases(JsonObject contract) {
    JsonObject schemas = contract.getJsonObject("components").getJsonObject("schemas");
    List<Case> cases = new ArrayList<>();
    JsonObject paths = contract.getJsonObject("paths");
    for (String template : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(template);
      for (String method : item.fieldNames()) {
        JsonObject op = item.getJsonObject(method);
        cases.addAll(
            new OperationCases(template, HttpMethod.valueOf(method.toUpperCase()), op, schemas)
                .all());
      }
    }
    return cases;
  }

  private static final class OperationCases {
    private final String template;
    private final HttpMethod method;
    private final String opId;
    private final List<JsonObject> parameters = new ArrayList<>();
    private final JsonObject bodySchema;
    private final boolean bodyRequired;
    private final List<Case> out = new ArrayList<>();

    OperationCases(String template, HttpMethod method, JsonObject op, JsonObject schemas) {
      this.template = template;
      this.method = method;
      this.opId = op.getString("operationId");
      JsonArray params = op.getJsonArray("parameters", new JsonArray());
      for (int i = 0; i < params.size(); i++) parameters.add(params.getJsonObject(i));
      JsonObject body = op.getJsonObject("requestBody");
      // multipart bodies (uploads) are read by their handler, not by a JSON schema validator
      if (body != null && !body.getJsonObject("content").containsKey("application/json"))
        body = null;
      if (body == null) {
        bodySchema = null;
        bodyRequired = false;
      } else {
        JsonObject schema =
            body.getJsonObject("content").getJsonObject("application/json").getJsonObject("schema");
        String ref = schema.getString("$ref");
        bodySchema =
            ref == null ? schema : schemas.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1));
        bodyRequired = body.getBoolean("required", false);
      }
    }

    List<Case> all() {
      Map<String, String> validParams = new LinkedHashMap<>();
      for (JsonObject p : parameters)
        validParams.put(p.getString("name"), String.valueOf(sample(p.getJsonObject("schema"))));
      JsonObject fullBody = bodySchema == null ? null : fullBody();
      add("valid", validParams, fullBody == null ? null : fullBody.encode());

      for (JsonObject p : parameters) {
        String name = p.getString("name");
        String where = p.getString("in") + " " + name;
        if (!"path".equals(p.getString("in"))) {
          Map<String, String> without = new LinkedHashMap<>(validParams);
          without.remove(name);
          add(
              where + " missing" + (p.getBoolean("required", false) ? " (required)" : ""),
              without,
              bodyText(fullBody));
        }
        for (Map.Entry<String, Object> bad : variants(p.getJsonObject("schema")).entrySet()) {
          // an empty path segment routes to another operation or none, never to this one's
          // validation
          if ("path".equals(p.getString("in")) && String.valueOf(bad.getValue()).isEmpty())
            continue;
          Map<String, String> changed = new LinkedHashMap<>(validParams);
          changed.put(name, String.valueOf(bad.getValue()));
          add(where + " " + bad.getKey(), changed, bodyText(fullBody));
        }
      }

      if (bodySchema != null) {
        JsonObject props = bodySchema.getJsonObject("properties");
        JsonArray required = bodySchema.getJsonArray("required", new JsonArray());
        JsonObject onlyRequired = new JsonObject();
        for (Object r : required)
          onlyRequired.put((String) r, sample(props.getJsonObject((String) r)));
        add("body with only the required fields", validParams, onlyRequired.encode());
        add("body with an extra field", validParams, fullBody.copy().put("surprise", 1).encode());
        for (Object r : required) {
          JsonObject without = fullBody.copy();
          without.remove((String) r);
          add("body missing required " + r, validParams, without.encode());
        }
        for (String field : props.fieldNames()) {
          for (Map.Entry<String, Object> bad : variants(props.getJsonObject(field)).entrySet()) {
            add(
                "body." + field + " " + bad.getKey(),
                validParams,
                fullBody.copy().put(field, bad.getValue()).encode());
          }
        }
        add("body absent" + (bodyRequired ? " (required)" : ""), validParams, null);
        add("body an array", validParams, "[" + fullBody.encode() + "]");
        add("body a string", validParams, "\"hello\"");
        add("body not JSON", validParams, "{\"user_id\": ");
        add("body an empty object", validParams, "{}");
        out.add(
            new Case(
                opId + ": body sent as text/plain",
                method,
                uri(validParams),
                "text/plain",
                fullBody.encode()));
      }
      return out;
    }

    private static String bodyText(JsonObject body) {
      return body == null ? null : body.encode();
    }

    private JsonObject fullBody() {
      JsonObject body = new JsonObject();
      JsonObject props = bodySchema.getJsonObject("properties", new JsonObject());
      for (String field : props.fieldNames()) body.put(field, sample(props.getJsonObject(field)));
      return body;
    }

    private void add(String what, Map<String, String> params, String body) {
      out.add(
          new Case(
              opId + ": " + what,
              method,
              uri(params),
              body == null ? null : "application/json",
              body));
    }

    private String uri(Map<String, String> params) {
      String path = template;
      StringBuilder query = new StringBuilder();
      for (JsonObject p : parameters) {
        String name = p.getString("name");
        if (!params.containsKey(name)) continue;
        String value = URLEncoder.encode(params.get(name), StandardCharsets.UTF_8);
        if ("path".equals(p.getString("in"))) path = path.replace("{" + name + "}", value);
        else query.append(query.length() == 0 ? '?' : '&').append(name).append('=').append(value);
      }
      return "/api/v1" + path + query;
    }
  }

  /**
   * The first type a schema allows other than null ({@code type: [string, 'null']} is a string).
   */
  private static String typeOf(JsonObject schema) {
    Object type = schema.getValue("type");
    if (type instanceof JsonArray types) {
      for (Object t : types) if (!"null".equals(t)) return (String) t;
    }
    // a schema without a type (a $ref, oneOf, free-form): sampled and varied as an object
    return type == null ? "object" : (String) type;
  }

  private static boolean nullable(JsonObject schema) {
    return schema.getValue("type") instanceof JsonArray types && types.contains("null");
  }

  /** A value the schema accepts. */
  private static Object sample(JsonObject schema) {
    JsonArray values = schema.getJsonArray("enum");
    if (values != null) {
      for (Object v : values) if (v != null) return v;
    }
    if (schema.containsKey("default")) return schema.getValue("default");
    return switch (typeOf(schema)) {
      case "integer" -> schema.getInteger("minimum", 0) + 1;
      case "number" -> schema.getNumber("minimum", 0).doubleValue() + 1.5;
      case "boolean" -> true;
      case "string" ->
          switch (schema.getString("format", "")) {
            case "uuid" -> UUID_SAMPLE;
            case "date" -> "2024-05-01";
            case "date-time" -> "2024-05-01T10:00:00Z";
            default -> "x".repeat(Math.max(2, schema.getInteger("minLength", 1)));
          };
      case "array" ->
          schema.containsKey("items") && schema.getJsonObject("items").containsKey("type")
              ? new JsonArray().add(sample(schema.getJsonObject("items")))
              : new JsonArray();
      case "object" -> new JsonObject();
      default -> throw new IllegalArgumentException("no sample for " + schema);
    };
  }

  /** Values to try against a schema, valid or not, named by what they vary. */
  private static Map<String, Object> variants(JsonObject schema) {
    Map<String, Object> v = new LinkedHashMap<>();
    String type = typeOf(schema);
    v.put(nullable(schema) ? "null (allowed)" : "null", null);
    switch (type) {
      case "integer" -> {
        v.put("not a number", "seven");
        v.put("a fraction", 1.5);
        v.put("a number in a string", "7");
        if (schema.containsKey("minimum"))
          v.put("below the minimum", schema.getInteger("minimum") - 1);
        if (schema.containsKey("maximum")) {
          v.put("at the maximum", schema.getInteger("maximum"));
          v.put("above the maximum", schema.getInteger("maximum") + 1);
        }
        v.put("beyond a long", "99999999999999999999999");
      }
      case "number" -> {
        v.put("not a number", "seven");
        if (schema.containsKey("minimum"))
          v.put("below the minimum", schema.getNumber("minimum").doubleValue() - 0.5);
        if (schema.containsKey("maximum"))
          v.put("above the maximum", schema.getNumber("maximum").doubleValue() + 0.5);
      }
      case "boolean" -> {
        v.put("a string", "yes");
        v.put("a number", 1);
      }
      case "string" -> {
        v.put("a number", 42);
        v.put("an object", new JsonObject().put("a", 1));
        v.put("empty", "");
        if (schema.containsKey("maxLength")) {
          v.put("at the maximum length", "y".repeat(schema.getInteger("maxLength")));
          v.put("over the maximum length", "y".repeat(schema.getInteger("maxLength") + 1));
        }
        if (schema.getInteger("minLength", 0) > 1)
          v.put("under the minimum length", "y".repeat(schema.getInteger("minLength") - 1));
        if (schema.containsKey("enum")) {
          v.put("not in the enum", "bogus");
          v.put(
              "an enum value in capitals",
              String.valueOf(schema.getJsonArray("enum").getValue(0)).toUpperCase());
        }
        switch (schema.getString("format", "")) {
          case "uuid" -> {
            v.put("not a uuid", "not-a-uuid");
            v.put("a uuid in capitals", UUID_SAMPLE.toUpperCase());
            v.put("a uuid without dashes", UUID_SAMPLE.replace("-", ""));
          }
          case "date" -> {
            v.put("not a date", "yesterday");
            v.put("month 13", "2024-13-01");
            v.put("a date-time for a date", "2024-05-01T10:00:00Z");
          }
          case "date-time" -> {
            v.put("not a date-time", "yesterday");
            v.put("a date for a date-time", "2024-05-01");
            v.put("a date-time with an offset", "2024-05-01T10:00:00+02:00");
          }
          default -> {}
        }
      }
      case "array" -> {
        v.put("a string", "x");
        v.put("an object", new JsonObject().put("a", 1));
        v.put("empty", new JsonArray());
        v.put("an item of the wrong type", new JsonArray().add(new JsonObject().put("a", 1)));
      }
      case "object" -> {
        v.put("a string", "x");
        v.put("an array", new JsonArray().add(1));
        v.put("empty", new JsonObject());
      }
      default -> throw new IllegalArgumentException("no variants for " + schema);
    }
    return v;
  }
}
