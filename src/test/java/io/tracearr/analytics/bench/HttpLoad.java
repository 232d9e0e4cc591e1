package io.tracearr.analytics.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * HTTP/1.1 keep-alive load from the Java client: a bounded number of connections, no pipelining.
 */
final class HttpLoad {

  record Reply(int status, Buffer body) {
    boolean ok() {
      return status >= 200 && status < 300;
    }
  }

  /** What a paced run achieved. */
  static final class Paced {
    final Histogram latencyMicros = new ConcurrentHistogram(3);
    final AtomicLong issued = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong notOk = new AtomicLong();
    final AtomicLong failed = new AtomicLong();

    /**
     * requests that were due while the in-flight bound was reached: the client (or server) fell
     * behind
     */
    final AtomicLong behind = new AtomicLong();

    volatile long elapsedNanos;

    double rate() {
      return elapsedNanos == 0 ? 0 : ok.get() / (elapsedNanos / 1e9);
    }

    double errorShare() {
      long all = ok.get() + notOk.get() + failed.get();
      return all == 0 ? 0 : (notOk.get() + failed.get()) / (double) all;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final String host;
  private final int port;

  HttpLoad(Vertx vertx, String host, int port, int connections) {
    this.vertx = vertx;
    this.host = host;
    this.port = port;
    this.client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setKeepAlive(true)
                // below the server's 5 s idle timeout (http.idle_timeout_seconds): a pooled
                // connection the server is closing is never picked for a request
                .setKeepAliveTimeout(2)
                .setTcpNoDelay(true)
                .setConnectTimeout(5_000)
                .setIdleTimeout(120),
            new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  Future<Reply> call(HttpMethod method, String uri, String token, Buffer body) {
    return client
        .request(method, port, host, uri)
        .compose(
            req -> {
              req.putHeader("Authorization", "Bearer " + token);
              if (body == null) return req.send();
              req.putHeader("Content-Type", "application/json");
              return req.send(body);
            })
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b)));
  }

  /**
   * Runs {@code task(0..n-1)} with at most {@code concurrency} outstanding; completes with how many
   * answered 2xx. Failures are counted, not fatal.
   */
  Future<Integer> forEach(int n, int concurrency, IntFunction<Future<Reply>> task) {
    Promise<Integer> done = Promise.promise();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    if (n == 0) return Future.succeededFuture(0);
    Context ctx = vertx.getOrCreateContext();
    Runnable[] pump = new Runnable[1];
    pump[0] =
        () -> {
          int i = next.getAndIncrement();
          if (i >= n) return;
          task.apply(i)
              .onComplete(
                  ar -> {
                    if (ar.succeeded() && ar.result().ok()) ok.incrementAndGet();
                    if (finished.incrementAndGet() == n) done.complete(ok.get());
                    else pump[0].run();
                  });
        };
    ctx.runOnContext(
        v -> {
          for (int c = 0; c < Math.min(concurrency, n); c++) pump[0].run();
        });
    return done.future();
  }

  /**
   * Issues {@code task} at {@code perSecond} for {@code millis}, at most {@code maxInFlight}
   * outstanding (a request due beyond that is counted as {@code behind} and not sent), then waits
   * for the outstanding.
   */
  Future<Paced> paced(
      double perSecond, long millis, int maxInFlight, Supplier<Future<Reply>> task) {
    return paced(perSecond, millis, maxInFlight, task, () -> false);
  }

  /** As above, ending early once {@code stop} says so. */
  Future<Paced> paced(
      double perSecond,
      long millis,
      int maxInFlight,
      Supplier<Future<Reply>> task,
      java.util.function.BooleanSupplier stop) {
    Paced out = new Paced();
    Promise<Paced> done = Promise.promise();
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger inFlight = new AtomicInteger();
    ctx.runOnContext(
        v -> {
          long t0 = System.nanoTime();
          long[] timer = new long[1];
          long[] sentOrSkipped = new long[1];
          timer[0] =
              vertx.setPeriodic(
                  2,
                  id -> {
                    long now = System.nanoTime();
                    long elapsed = now - t0;
                    if (elapsed >= millis * 1_000_000L || stop.getAsBoolean()) {
                      vertx.cancelTimer(timer[0]);
                      out.elapsedNanos = elapsed;
                      waitIdle(inFlight, done, out);
                      return;
                    }
                    long due = (long) (perSecond * elapsed / 1e9) - sentOrSkipped[0];
                    for (long k = 0; k < due; k++) {
                      sentOrSkipped[0]++;
                      if (inFlight.get() >= maxInFlight) {
                        out.behind.incrementAndGet();
                        continue;
                      }
                      inFlight.incrementAndGet();
                      out.issued.incrementAndGet();
                      long s = System.nanoTime();
                      task.get()
                          .onComplete(
                              ar -> {
                                inFlight.decrementAndGet();
                                out.latencyMicros.recordValue(
                                    Math.max(1, (System.nanoTime() - s) / 1000));
                                if (ar.failed()) out.failed.incrementAndGet();
                                else if (ar.result().ok()) out.ok.incrementAndGet();
                                else out.notOk.incrementAndGet();
                              });
                    }
                  });
        });
    return done.future();
  }

  private void waitIdle(AtomicInteger inFlight, Promise<Paced> done, Paced out) {
    if (inFlight.get() == 0) {
      done.tryComplete(out);
      return;
    }
    long deadline = System.nanoTime() + 15_000_000_000L;
    vertx.setPeriodic(
        10,
        id -> {
          if (inFlight.get() == 0 || System.nanoTime() > deadline) {
            vertx.cancelTimer(id);
            done.tryComplete(out);
          }
        });
  }

  Future<Void> close() {
    return client.close();
  }
}
