package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Our own JSON, signed: the body a receiver verifies byte for byte. */
final class WebhookRenderer {

  private WebhookRenderer() {}

  static OutgoingRequest render(
      ChannelSettings.Webhook w, NotificationEvent event, RenderContext ctx) {
    // insertion order is kept by JsonObject, so the body reads event-first for people tailing a
    // receiver's log
    byte[] body =
        new JsonObject()
            .put("event", event.type().wireName())
            .put("delivery_id", ctx.deliveryId())
            .put("occurred_at", event.occurredAt().toString())
            .put("data", event.data())
            .encode()
            .getBytes(StandardCharsets.UTF_8);
    long ts = ctx.now().getEpochSecond();
    Map<String, String> headers = Renderers.baseHeaders();
    headers.put("Content-Type", "application/json");
    headers.put(WebhookSignature.EVENT, event.type().wireName());
    headers.put(WebhookSignature.DELIVERY, ctx.deliveryId());
    headers.put(WebhookSignature.TIMESTAMP, Long.toString(ts));
    headers.put(WebhookSignature.SIGNATURE, WebhookSignature.sign(w.secret(), ts, body));
    return new OutgoingRequest("POST", w.url(), headers, body);
  }
}
