package io.tracearr.analytics.bus;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.json.JsonObject;

/**
 * JSON messages handed to local consumers as the very object that was sent, instead of Vert.x's
 * default deep copy per consumer. bench/run found the copies (a session.updated event copied for
 * each gateway's live hub, every command and reply copied once more) to be a quarter of the
 * heartbeat path's CPU (docs/benchmarks.md). Across the cluster the JSON travels as text, exactly
 * like the default codec.
 *
 * <p>The rule that makes sharing safe: <b>nobody changes a JsonObject after sending it with these
 * options, and consumers only read what they receive</b> (every consumer in this code base builds
 * new objects for its answers and frames). Every node registers the codec at boot ({@link
 * #register}), so remote deliveries find it.
 */
public final class SharedJson implements MessageCodec<JsonObject, JsonObject> {

  public static final String NAME = "tracearr-shared-json";

  /**
   * For events and replies. Never modify: DeliveryOptions are mutable and this instance is shared.
   */
  public static final DeliveryOptions OPTIONS = new DeliveryOptions().setCodecName(NAME);

  /**
   * A {@code session.updated} whose session changed status: receivers let it overtake ordinary
   * updates held by their rate limits.
   */
  public static final String URGENT_HEADER = "x-urgent";

  public static final DeliveryOptions URGENT =
      new DeliveryOptions().setCodecName(NAME).addHeader(URGENT_HEADER, "1");

  /** For a command whose reply may take up to {@code timeoutMs}. */
  public static DeliveryOptions command(long timeoutMs) {
    return new DeliveryOptions().setCodecName(NAME).setSendTimeout(timeoutMs);
  }

  public static void register(Vertx vertx) {
    vertx.eventBus().registerCodec(new SharedJson());
  }

  @Override
  public void encodeToWire(Buffer buffer, JsonObject json) {
    Buffer encoded = json.toBuffer();
    buffer.appendInt(encoded.length());
    buffer.appendBuffer(encoded);
  }

  @Override
  public JsonObject decodeFromWire(int pos, Buffer buffer) {
    int length = buffer.getInt(pos);
    return new JsonObject(buffer.getBuffer(pos + 4, pos + 4 + length));
  }

  @Override
  public JsonObject transform(JsonObject json) {
    return json;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
