package io.tracearr.analytics.gateway;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileSystem;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.OpenAPIVersion;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Path;
import io.vertx.openapi.contract.SecurityRequirement;
import io.vertx.openapi.contract.SecurityScheme;
import io.vertx.openapi.contract.Server;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.RequestValidatorImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Request validation against the contract, the very checks of vertx-openapi's router (its own
 * {@link RequestValidatorImpl}, so the same {@link ValidatorException}s reach {@link
 * ContractProblems}), without the two per-request costs {@code bench/run} found on the heartbeat
 * path (docs/benchmarks.md): the library builds a new schema validator for every parameter and body
 * of every request, each copying the whole schema repository ({@code new HashMap<>(lookup)} in
 * SchemaValidatorImpl), and it hops to a worker thread ({@code executeBlocking}) for every request.
 * Here validators are built once per schema and reused, and validation runs on the event loop
 * (microseconds for this API's small bodies).
 *
 * <p>This reaches into vertx-openapi's {@code impl} package (checked against 5.0.10): its public
 * API has no validation without the worker hop, and re-writing the checks on public types would be
 * a fork that drifts. {@code ContractValidationEquivalenceTest} runs the library's own validator
 * and this one over the same requests, generated from {@code openapi.yaml}, and demands the same
 * verdicts, so an upgrade that changes either shows there.
 *
 * <p>One instance per gateway verticle instance: its cache is only touched from that instance's
 * event loop.
 */
final class ContractValidation {

  private final Validating validator;

  /** how many verdicts {@link #passed} keeps per gateway instance */
  static final int VERDICTS = 1024;

  /**
   * Requests of operations without a body that passed, by operation and raw URI (path and query):
   * this contract has no header or cookie parameters, so for them the same URI always gets the same
   * verdict. Validating the query against its schemas was 31 % of the service's CPU under benchmark
   * scenarios 6 and 9 (the dashboards' repeated GETs); a kept verdict skips it. Only passes are
   * kept (a refused request is validated again, so its problem names the field every time); least
   * recently used first out.
   */
  private final Map<String, ValidatedRequest> passed =
      new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ValidatedRequest> eldest) {
          return size() > VERDICTS;
        }
      };

  ContractValidation(Vertx vertx, OpenAPIContract contract) {
    this.validator = new Validating(vertx, new ReusingContract(contract));
  }

  /** The handler that goes first on an operation's route (whose own validation is switched off). */
  Handler<RoutingContext> handler(Operation operation, RequestExtractor extractor) {
    boolean keepVerdicts =
        operation.getRequestBody() == null
            && operation.getParameters().stream()
                .allMatch(p -> p.getIn() == Location.PATH || p.getIn() == Location.QUERY);
    return rc -> {
      String key = keepVerdicts ? operation.getOperationId() + ' ' + rc.request().uri() : null;
      ValidatedRequest known = key == null ? null : passed.get(key);
      if (known != null) {
        rc.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, known);
        rc.next();
        return;
      }
      extractor
          .extractValidatableRequest(rc, withoutQuery(operation))
          .map(request -> queryDecodedOnce(rc, operation, request))
          .compose(request -> validate(request, operation.getOperationId()))
          .onSuccess(
              validated -> {
                if (key != null) passed.put(key, validated);
                rc.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
                rc.next();
              })
          .onFailure(
              e ->
                  rc.fail(
                      e instanceof ValidatorException
                          ? new HttpException(400, e.getMessage(), e)
                          : e));
    };
  }

  /**
   * The query values as the handlers read them ({@code rc.queryParams()}, percent-decoded once).
   * vertx-openapi 5.0.10's extractor takes {@code request.params()}, which are decoded already, and
   * decodes them a second time ({@code RequestUtils.decodeUrl}): a search for "50%" ({@code
   * q=50%25}) was refused as bad percent-encoding and "C++" was validated as "C ". Every query
   * parameter of this contract is a scalar (no arrays or objects, which that extractor joins), so
   * the first value is the whole value. Malformed encoding still fails here, as a 400. The
   * extractor gets the operation without its query parameters ({@link #withoutQuery}), so it never
   * sees them.
   */
  /** The operation as the library's extractor sees it: its query parameters are ours to read. */
  private static Operation withoutQuery(Operation op) {
    List<Parameter> rest =
        op.getParameters().stream().filter(p -> p.getIn() != Location.QUERY).toList();
    if (rest.size() == op.getParameters().size()) return op;
    return new Operation() {
      @Override
      public String getOperationId() {
        return op.getOperationId();
      }

      @Override
      public HttpMethod getHttpMethod() {
        return op.getHttpMethod();
      }

      @Override
      public String getOpenAPIPath() {
        return op.getOpenAPIPath();
      }

      @Override
      public String getAbsoluteOpenAPIPath() {
        return op.getAbsoluteOpenAPIPath();
      }

      @Override
      public List<String> getTags() {
        return op.getTags();
      }

      @Override
      public List<Parameter> getParameters() {
        return rest;
      }

      @Override
      public io.vertx.openapi.contract.RequestBody getRequestBody() {
        return op.getRequestBody();
      }

      @Override
      public io.vertx.openapi.contract.Response getDefaultResponse() {
        return op.getDefaultResponse();
      }

      @Override
      public io.vertx.openapi.contract.Response getResponse(int code) {
        return op.getResponse(code);
      }

      @Override
      public List<SecurityRequirement> getSecurityRequirements() {
        return op.getSecurityRequirements();
      }

      @Override
      public JsonObject getOpenAPIModel() {
        return op.getOpenAPIModel();
      }
    };
  }

  private static ValidatableRequest queryDecodedOnce(
      RoutingContext rc, Operation operation, ValidatableRequest extracted) {
    boolean any = false;
    for (Parameter p : operation.getParameters()) any |= p.getIn() == Location.QUERY;
    if (!any) return extracted;
    io.vertx.core.MultiMap params;
    try {
      params = rc.queryParams();
    } catch (RuntimeException e) {
      throw io.tracearr.analytics.api.Problem.validation(
          HttpDoor.badlyEncoded(rc.request().query()), "is not valid percent-encoding");
    }
    Map<String, RequestParameter> query = new HashMap<>(extracted.getQuery());
    for (Parameter p : operation.getParameters()) {
      if (p.getIn() != Location.QUERY) continue;
      query.put(p.getName(), new RequestParameterImpl(params.get(p.getName())));
    }
    return new ValidatableRequestImpl(
        extracted.getCookies(),
        extracted.getHeaders(),
        extracted.getPathParameters(),
        query,
        extracted.getBody(),
        extracted.getContentType());
  }

  /**
   * The validation alone: what {@code ContractValidationEquivalenceTest} holds against the
   * library's own.
   */
  Future<ValidatedRequest> validate(ValidatableRequest request, String operationId) {
    return validator.validate(request, operationId);
  }

  /** The library's validation, same steps and order, on the caller's thread. */
  private static final class Validating extends RequestValidatorImpl {
    Validating(Vertx vertx, OpenAPIContract contract) {
      super(vertx, contract);
    }

    @Override
    public Future<ValidatedRequest> validate(ValidatableRequest request, String operationId) {
      return getOperation(operationId)
          .compose(
              operation -> {
                try {
                  Map<String, RequestParameter> cookies =
                      new HashMap<>(request.getCookies().size());
                  Map<String, RequestParameter> headers =
                      new HashMap<>(request.getHeaders().size());
                  Map<String, RequestParameter> path =
                      new HashMap<>(request.getPathParameters().size());
                  Map<String, RequestParameter> query = new HashMap<>(request.getQuery().size());
                  for (Parameter param : operation.getParameters()) {
                    switch (param.getIn()) {
                      case COOKIE ->
                          cookies.put(
                              param.getName(),
                              validateParameter(param, request.getCookies().get(param.getName())));
                      case HEADER ->
                          headers.put(
                              param.getName(),
                              validateParameter(param, request.getHeaders().get(param.getName())));
                      case PATH ->
                          path.put(
                              param.getName(),
                              validateParameter(
                                  param, request.getPathParameters().get(param.getName())));
                      case QUERY ->
                          query.put(
                              param.getName(),
                              validateParameter(param, request.getQuery().get(param.getName())));
                    }
                  }
                  RequestParameter body = validateBody(operation.getRequestBody(), request);
                  return Future.succeededFuture(
                      new ValidatedRequestImpl(cookies, headers, path, query, body));
                } catch (RuntimeException e) {
                  return Future.failedFuture(e);
                }
              });
    }
  }

  /**
   * The contract, with a repository that hands out one validator per schema instead of a new one
   * per call.
   */
  private static final class ReusingContract implements OpenAPIContract {
    private final OpenAPIContract contract;
    private final SchemaRepository repository;

    ReusingContract(OpenAPIContract contract) {
      this.contract = contract;
      this.repository = new ReusingRepository(contract.getSchemaRepository());
    }

    @Override
    public Operation operation(String operationId) {
      return contract.operation(operationId);
    }

    @Override
    public List<Operation> operations() {
      return contract.operations();
    }

    @Override
    public List<Path> getPaths() {
      return contract.getPaths();
    }

    @Override
    public JsonObject getRawContract() {
      return contract.getRawContract();
    }

    @Override
    public OpenAPIVersion getVersion() {
      return contract.getVersion();
    }

    @Override
    public SchemaRepository getSchemaRepository() {
      return repository;
    }

    @Override
    public List<Server> getServers() {
      return contract.getServers();
    }

    @Override
    public Path findPath(String urlPath) {
      return contract.findPath(urlPath);
    }

    @Override
    public Operation findOperation(String urlPath, HttpMethod method) {
      return contract.findOperation(urlPath, method);
    }

    @Override
    public List<SecurityRequirement> getSecurityRequirements() {
      return contract.getSecurityRequirements();
    }

    @Override
    public SecurityScheme securityScheme(String name) {
      return contract.securityScheme(name);
    }
  }

  /**
   * Caches {@link #validator(JsonSchema)} by schema instance: the contract model hands the
   * validator the same parameter and body schema objects on every request, and a built validator
   * only reads its lookup table.
   */
  private static final class ReusingRepository implements SchemaRepository {
    private final SchemaRepository repository;
    private final Map<JsonSchema, Validator> validators = new IdentityHashMap<>();

    ReusingRepository(SchemaRepository repository) {
      this.repository = repository;
    }

    @Override
    public Validator validator(JsonSchema schema) {
      return validators.computeIfAbsent(schema, repository::validator);
    }

    @Override
    public SchemaRepository dereference(JsonSchema schema) {
      repository.dereference(schema);
      return this;
    }

    @Override
    public SchemaRepository dereference(String uri, JsonSchema schema) {
      repository.dereference(uri, schema);
      return this;
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs) {
      repository.preloadMetaSchema(fs);
      return this;
    }

    @Override
    public SchemaRepository preloadMetaSchema(FileSystem fs, Draft draft) {
      repository.preloadMetaSchema(fs, draft);
      return this;
    }

    @Override
    public Validator validator(String ref) {
      return repository.validator(ref);
    }

    @Override
    public Validator validator(String ref, JsonSchemaOptions options) {
      return repository.validator(ref, options);
    }

    @Override
    public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
      return repository.validator(schema, options, dereference);
    }

    @Override
    public JsonObject resolve(JsonObject schema) {
      return repository.resolve(schema);
    }

    @Override
    public JsonSchema find(String pointer) {
      return repository.find(pointer);
    }
  }
}
