package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ContractValidation keeps the verdicts of body-less requests that passed, by raw URI: a kept
 * verdict must never let a request through that the contract refuses, nor refuse one it accepts.
 */
class KeptVerdictsTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  static final String PLAYS = "/api/v1/analytics/stats/plays?start=2026-01-01&end=2026-01-02";

  @Test
  void aPassKeptForOneUriNeverAnswersAnother() {
    for (int i = 0; i < 3; i++) {
      // the same bytes: validated once, then the kept verdict
      HttpResponse<Buffer> ok = node.get(PLAYS + "&group_by=client", TestNode.VIEWER_KEY);
      assertEquals(200, ok.statusCode(), ok.bodyAsString());
      // the same operation with a value the contract refuses: refused every time, naming it
      refused(PLAYS + "&group_by=nope", "group_by");
      refused(PLAYS + "&group_by=client&limit=0", "limit");
    }
    // a refused URI stays refused after the same operation passed with other values
    refused(PLAYS.replace("2026-01-01", "2026-13-01") + "&group_by=client", "start");
  }

  @Test
  void pathParametersAreJudgedPerUri() {
    HttpResponse<Buffer> unknown =
        node.get(
            "/api/v1/analytics/users/00000000-0000-0000-0000-000000000001", TestNode.ADMIN_KEY);
    assertEquals(404, unknown.statusCode(), unknown.bodyAsString());
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> bad = node.get("/api/v1/analytics/users/not-a-uuid", TestNode.ADMIN_KEY);
      assertEquals(400, bad.statusCode(), bad.bodyAsString());
    }
  }

  private static void refused(String uri, String field) {
    HttpResponse<Buffer> r = node.get(uri, TestNode.VIEWER_KEY);
    assertEquals(400, r.statusCode(), uri + ": " + r.bodyAsString());
    assertTrue(r.getHeader("Content-Type").startsWith("application/problem+json"));
    JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
    assertTrue(
        errors != null
            && errors.stream().anyMatch(e -> field.equals(((JsonObject) e).getString("field"))),
        uri + ": " + r.bodyAsString());
  }
}
