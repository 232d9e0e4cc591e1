package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonObject;

/**
 * RFC 7396 JSON merge patch: what PATCH means for a channel (null removes a field, objects merge).
 */
final class JsonMergePatch {

  private JsonMergePatch() {}

  static JsonObject apply(JsonObject target, JsonObject patch) {
    JsonObject result = target == null ? new JsonObject() : target.copy();
    for (String key : patch.fieldNames()) {
      Object value = patch.getValue(key);
      if (value == null) {
        result.remove(key);
      } else if (value instanceof JsonObject obj) {
        Object current = result.getValue(key);
        result.put(key, apply(current instanceof JsonObject c ? c : new JsonObject(), obj));
      } else {
        result.put(key, value);
      }
    }
    return result;
  }
}
