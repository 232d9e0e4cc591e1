package io.tracearr.analytics;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigException;
import io.tracearr.analytics.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/** {@code java -jar tracearr-analytics.jar}: reads the configuration, starts a node, stops it on SIGTERM. */
public final class App {

  private App() {}

  public static void main(String[] args) {
    AppConfig config;
    try {
      config = readConfig();
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Application app;
    try {
      app = Application.start(config);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      org.slf4j.LoggerFactory.getLogger(App.class).error("startup failed", e);
      System.err.println("startup failed: " + root);
      System.exit(1);
      return;
    }
    // SIGTERM/SIGINT: stop in order (see Application#stop), then exit 0 — a clean stop is not a failure
    for (String name : new String[] {"TERM", "INT"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
        Thread stopper = new Thread(() -> {
          app.stop();
          System.exit(0);
        }, "shutdown");
        stopper.start();
      });
    }
  }

  private static AppConfig readConfig() {
    Vertx vertx = Vertx.vertx();
    try {
      return ConfigLoader.load(vertx, System.getenv()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof ConfigException ce) throw ce;
      throw new ConfigException("configuration cannot be read: " + e.getCause());
    } catch (Exception e) {
      throw new ConfigException("configuration cannot be read: " + e);
    } finally {
      vertx.close();
    }
  }
}
