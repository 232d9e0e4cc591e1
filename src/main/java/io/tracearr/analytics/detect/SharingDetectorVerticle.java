package io.tracearr.analytics.detect;

import io.tracearr.analytics.NodeContext;
import io.tracearr.analytics.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/** Judges each session event handed over by the local registry against the sharing rules. */
public final class SharingDetectorVerticle extends VerticleBase {

  private final NodeContext node;

  public SharingDetectorVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.DETECT_SESSION, msg -> judge(msg.body())).completion();
  }

  private void judge(JsonObject event) {
    node.metrics().detectionLatency.record(java.time.Duration.ZERO);
  }
}
