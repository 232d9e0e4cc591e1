package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.api.Page;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.importer.ImportRequest;
import io.tracearr.analytics.importer.ImportStore;
import io.tracearr.analytics.importer.ImportVerticle;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /analytics/imports/**}: an upload is streamed to this node's disk and handed to this
 * node's importer by a command ({@code imports.start}: the file is here, so the import runs here);
 * reads go through the importer's query object; a cancel is a command ({@code imports.cancel}) to
 * this node's importer, which reaches a run on any node through the imports row.
 */
public final class ImportRoutes {

  static final String PATH = "/api/v1/analytics/imports";

  /**
   * multipart bodies: the contract route does not validate them; {@link #create} checks each field
   * by name
   */
  static final Set<String> VALIDATED_BY_HANDLER = Set.of("createImport");

  private static final DeliveryOptions COMMAND = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;
  private final ImportStore store;

  public ImportRoutes(Vertx vertx, ImportStore store) {
    this.vertx = vertx;
    this.store = store;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "createImport", this::create,
        "listImports", this::list,
        "getImport", this::get,
        "cancelImport", this::cancel);
  }

  /**
   * Mounted before the API's own body handler: the upload is authenticated and authorised before a
   * byte of it is read (the request is paused while the key is checked), then streamed to the
   * importer's directory with its own limit, {@code imports.max_upload_mb}, never into memory. The
   * API's body handler then sees the body as handled.
   */
  static void mountUpload(Router root, BearerAuth auth, AppConfig cfg) {
    BodyHandler uploads =
        BodyHandler.create(ImportVerticle.uploadsDir(cfg).toString())
            .setBodyLimit(cfg.imports().maxUploadBytes())
            .setDeleteUploadedFilesOnEnd(false)
            .setMergeFormAttributes(false);
    // a refusal before the body handler leaves the request paused: let the rest of it drain
    Handler<RoutingContext> drain =
        rc -> {
          rc.request().resume();
          rc.next();
        };
    root.post(PATH)
        .handler(
            rc -> {
              rc.request().pause();
              rc.next();
            })
        .handler(auth::handle)
        .handler(
            rc -> {
              try {
                BearerAuth.principal(rc).requireAdmin();
              } catch (Problem refused) {
                // the contract route, and its audit, is never reached
                AuditTrail.recordRefusal(rc, "createImport");
                throw refused;
              }
              rc.next();
            })
        .failureHandler(drain);
    // a route of its own: Vert.x wants a body handler before any handler of the route's own
    root.post(PATH).handler(uploads).failureHandler(drain);
  }

  private void create(RoutingContext rc) {
    var who = BearerAuth.principal(rc);
    who.requireAdmin();
    List<FileUpload> files = rc.fileUploads();
    FileUpload file = files.stream().filter(f -> f.name().equals("file")).findFirst().orElse(null);
    // the form's other file parts (there should be none) are not kept
    files.stream().filter(f -> f != file).forEach(f -> deleteUpload(f.uploadedFileName()));
    var form = rc.request().formAttributes();
    try {
      if (file == null) {
        // the other fields are still checked, so one answer names every problem
        try {
          ImportRequest.parse(form.get("source"), form.get("server_id"), form.get("timezone"));
        } catch (Problem p) {
          var errors =
              new java.util.ArrayList<>(
                  List.of(
                      new Problem.FieldError("file", "is required: the history file to import")));
          errors.addAll(p.errors());
          throw Problem.validation(errors);
        }
        throw Problem.validation("file", "is required: the history file to import");
      }
      ImportRequest.parse(form.get("source"), form.get("server_id"), form.get("timezone"));
    } catch (Problem p) {
      if (file != null) deleteUpload(file.uploadedFileName());
      throw p;
    }
    JsonObject cmd =
        new JsonObject()
            .put("source", form.get("source"))
            .put("server_id", form.get("server_id"))
            .put("timezone", form.get("timezone"))
            .put("file_path", file.uploadedFileName())
            .put("file_name", file.fileName())
            .put("file_bytes", file.size())
            .put("requested_by", who.name());
    vertx
        .eventBus()
        .<JsonObject>request(Addresses.IMPORTS_START, cmd, COMMAND)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                audited(rc, ar.result().body());
                HttpReplies.commandReply(rc, ar.result().body());
              } else {
                deleteUpload(file.uploadedFileName());
                rc.fail(Problem.unavailable("The importer did not answer in time; retry shortly"));
              }
            });
  }

  private void list(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    int limit = RequestParams.intParam(rc, "limit", 50, 1, 200);
    KeysetCursor cursor = KeysetCursor.decode(rc.queryParams().get("before"));
    store
        .list(limit + 1, cursor)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else HttpReplies.json(rc, 200, Page.of(ar.result(), limit, "created_at"));
            });
  }

  private void get(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    store
        .find(id)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else if (ar.result().isEmpty()) rc.fail(Problem.notFound("No import " + id));
              else HttpReplies.json(rc, 200, ar.result().get());
            });
  }

  private void cancel(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    vertx
        .eventBus()
        .<JsonObject>request(
            Addresses.IMPORTS_CANCEL, new JsonObject().put("id", id.toString()), COMMAND)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                audited(rc, ar.result().body());
                HttpReplies.commandReply(rc, ar.result().body());
              } else
                rc.fail(Problem.unavailable("The importer did not answer in time; retry shortly"));
            });
  }

  /**
   * The import a created or cancelled answer names, for the audit entry (the actor and the time are
   * the audit trail's own): which import, of what, and its status after the command.
   */
  private static void audited(RoutingContext rc, JsonObject reply) {
    JsonObject job = reply.getJsonObject("body");
    if (job == null) return;
    rc.put(
        AuditTrail.AFTER,
        new JsonObject()
            .put("id", job.getString("id"))
            .put("source", job.getString("source"))
            .put("status", job.getString("status"))
            .put("file_name", job.getString("file_name"))
            .put("file_bytes", job.getLong("file_bytes"))
            .put("server_id", job.getString("server_id"))
            .put("timezone", job.getString("timezone")));
  }

  private void deleteUpload(String path) {
    vertx
        .fileSystem()
        .delete(path)
        .onFailure(
            err -> {
              /* already gone */
            });
  }
}
