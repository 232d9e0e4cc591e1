package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.notify.RecordingReceiver.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RecordingReceiverTest {

  RecordingReceiver receiver;
  HttpClient client;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    receiver =
        RecordingReceiver.start(vertx)
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() throws Exception {
    client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    receiver.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  Future<HttpClientResponse> post(String path, String body) {
    // generous: the first request of a JVM on a busy two-core machine can take seconds
    return post(path, body, 10_000);
  }

  Future<HttpClientResponse> post(String path, String body, long idleTimeoutMs) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(receiver.url(path))
            .setIdleTimeout(idleTimeoutMs)
            .putHeader("X-Analytics-Delivery", "d-1");
    return client
        .request(options)
        .compose(req -> req.send(Buffer.buffer(body)))
        .compose(resp -> resp.body().map(b -> resp));
  }

  @Test
  void recordsTheRequestAsReceived(VertxTestContext ctx) {
    post("/hooks/in?x=1&y=2", "{\"a\":1}")
        .onComplete(
            ctx.succeeding(
                resp ->
                    ctx.verify(
                        () -> {
                          assertEquals(200, resp.statusCode());
                          RecordingReceiver.Recorded r = receiver.requests().get(0);
                          assertEquals("POST", r.method());
                          assertEquals("/hooks/in", r.path());
                          assertEquals("x=1&y=2", r.query());
                          assertEquals("d-1", r.header("x-analytics-delivery"));
                          assertEquals("{\"a\":1}", r.bodyAsString());
                          ctx.completeNow();
                        })));
  }

  @Test
  void answers500TwiceThen200(VertxTestContext ctx) {
    receiver.failTimes(2, 500);
    List<Integer> statuses = new ArrayList<>();
    post("/", "1")
        .compose(
            r -> {
              statuses.add(r.statusCode());
              return post("/", "2");
            })
        .compose(
            r -> {
              statuses.add(r.statusCode());
              return post("/", "3");
            })
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          statuses.add(r.statusCode());
                          assertEquals(List.of(500, 500, 200), statuses);
                          assertEquals(3, receiver.requests().size());
                          ctx.completeNow();
                        })));
  }

  @Test
  void answers429WithRetryAfter(VertxTestContext ctx) {
    receiver.script(Reply.retryAfter(429, "7"));
    post("/", "x")
        .onComplete(
            ctx.succeeding(
                r ->
                    ctx.verify(
                        () -> {
                          assertEquals(429, r.statusCode());
                          assertEquals("7", r.getHeader("Retry-After"));
                          ctx.completeNow();
                        })));
  }

  @Test
  void hangsUntilTheSenderTimesOut(VertxTestContext ctx) {
    receiver.script(Reply.hang());
    post("/", "x", 1_000)
        .onComplete(
            ctx.failing(
                err ->
                    ctx.verify(
                        () -> {
                          assertTrue(
                              err.getMessage().toLowerCase().contains("timeout")
                                  || err.getClass().getSimpleName().contains("Timeout"),
                              err.toString());
                          assertEquals(
                              1,
                              receiver.requests().size(),
                              "the request was received, only never answered");
                          ctx.completeNow();
                        })));
  }

  @Test
  void resetsTheConnection(VertxTestContext ctx) {
    receiver.script(Reply.reset());
    post("/", "x")
        .onComplete(
            ctx.failing(
                err ->
                    ctx.verify(
                        () -> {
                          assertEquals(1, receiver.requests().size());
                          ctx.completeNow();
                        })));
  }

  @Test
  void answersGarbage(VertxTestContext ctx) {
    receiver.script(Reply.garbage());
    post("/", "x")
        .onComplete(
            ctx.failing(
                err ->
                    ctx.verify(
                        () -> {
                          assertEquals(1, receiver.requests().size());
                          ctx.completeNow();
                        })));
  }
}
