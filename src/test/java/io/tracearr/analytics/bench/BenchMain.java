package io.tracearr.analytics.bench;

import io.tracearr.analytics.Application;

/**
 * The service as {@code bench/run} starts it: the production {@link Application} (same
 * configuration, same verticles) plus the benchmark-only {@link BenchListener} when {@code
 * ANALYTICS_BENCH_BARE_PORT} is set. It lives in test scope so that the shipped jar holds no
 * benchmark code.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Application app = Application.launch();
    BenchListener.deployIfEnabled(app.vertx(), System.getenv(), app.config().http().instances())
        .toCompletionStage()
        .toCompletableFuture()
        .get();
  }
}
