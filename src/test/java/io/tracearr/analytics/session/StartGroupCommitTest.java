package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.DistributionSummary;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18, scenario 2: concurrent starts share one transaction (one commit), and keep what a start
 * promises alone: 201 after the commit, idempotency by id, and one start the database refuses for
 * its data never fails the others of its batch.
 */
class StartGroupCommitTest {

  // one transaction in flight at a time: every start arriving meanwhile joins the next batch
  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "sessions",
                  new JsonObject().put("start_batches_in_flight", 1).put("start_batch_max", 64)));

  static final TestNode node = nodes.node();

  private static List<HttpResponse<Buffer>> startAll(List<JsonObject> bodies) {
    WebClient client = node.client();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (JsonObject body : bodies) {
      sent.add(
          client
              .post(node.port(), "127.0.0.1", "/api/v1/analytics/sessions")
              .bearerTokenAuthentication(TestNode.INGEST_KEY)
              .sendJsonObject(body));
    }
    List<HttpResponse<Buffer>> out = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> f : sent) out.add(TestNode.await(f));
    return out;
  }

  private static double maxBatch() {
    DistributionSummary s =
        node.app().node().prometheus().find("analytics_session_start_batch_size").summary();
    return s == null ? 0 : s.max();
  }

  @Test
  void concurrentStartsShareCommitsAndEachIsAnswered201AfterItsRowExists() {
    List<JsonObject> bodies = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      bodies.add(SessionBodies.start(UUID.randomUUID()).put("id", UUID.randomUUID().toString()));
    }
    List<HttpResponse<Buffer>> answers = startAll(bodies);
    for (int i = 0; i < answers.size(); i++) {
      assertEquals(201, answers.get(i).statusCode(), answers.get(i).bodyAsString());
      assertEquals(
          bodies.get(i).getString("id"), answers.get(i).bodyAsJsonObject().getString("id"));
      assertEquals(
          1,
          node.count(
              "SELECT count(*) FROM playback_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = '"
                  + bodies.get(i).getString("id")
                  + "'"));
    }
    assertTrue(maxBatch() > 1, "several starts shared a transaction: largest " + maxBatch());
  }

  @Test
  void theSameStartTwiceInOneBatchAnswers201ThenTheExistingSession() {
    JsonObject body =
        SessionBodies.start(UUID.randomUUID()).put("id", UUID.randomUUID().toString());
    List<JsonObject> bodies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      bodies.add(SessionBodies.start(UUID.randomUUID()));
      if (i == 10) {
        bodies.add(body);
        bodies.add(body.copy());
      }
    }
    List<HttpResponse<Buffer>> answers = startAll(bodies);
    int created = 0;
    int existing = 0;
    for (int i = 0; i < answers.size(); i++) {
      if (!body.getString("id").equals(bodies.get(i).getString("id"))) {
        assertEquals(201, answers.get(i).statusCode(), answers.get(i).bodyAsString());
        continue;
      }
      if (answers.get(i).statusCode() == 201) created++;
      if (answers.get(i).statusCode() == 200) existing++;
    }
    assertEquals(1, created, "one of the two identical starts created the session");
    assertEquals(1, existing, "the other answered the existing session (200)");
  }

  @Test
  void aStartTheDatabaseRefusesFailsAloneAndTheRestOfItsBatchCommits() {
    node.sql(
        """
        CREATE OR REPLACE FUNCTION refuse_poison_start() RETURNS trigger AS $$
        BEGIN
          IF NEW.resolution = 'poison' THEN RAISE EXCEPTION 'poisoned value' USING ERRCODE = '22023'; END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER refuse_poison_start BEFORE INSERT ON playback_sessions FOR EACH ROW
          EXECUTE FUNCTION refuse_poison_start();""");
    try {
      List<JsonObject> bodies = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        JsonObject b =
            SessionBodies.start(UUID.randomUUID()).put("id", UUID.randomUUID().toString());
        if (i == 7 || i == 41) b.put("resolution", "poison");
        bodies.add(b);
      }
      List<HttpResponse<Buffer>> answers = startAll(bodies);
      for (int i = 0; i < answers.size(); i++) {
        String id = bodies.get(i).getString("id");
        long rows = node.count("SELECT count(*) FROM playback_sessions WHERE id = '" + id + "'");
        if (i == 7 || i == 41) {
          assertNotEquals(201, answers.get(i).statusCode());
          assertTrue(answers.get(i).statusCode() >= 400);
          assertEquals(0, rows, "the refused start left no row");
        } else {
          assertEquals(201, answers.get(i).statusCode(), answers.get(i).bodyAsString());
          assertEquals(1, rows, "every other start of the batch committed");
        }
      }
    } finally {
      node.sql(
          "DROP TRIGGER refuse_poison_start ON playback_sessions; DROP FUNCTION refuse_poison_start();");
    }
  }
}
