package io.tracearr.analytics.notify;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request, fully rendered: the sender only has to make it (no redirects followed, 10 s
 * timeout). The body is bytes because the webhook signature covers the exact bytes sent.
 *
 * @param url absolute; for Telegram it contains the bot token, so {@link #toString} leaves it out
 */
public record OutgoingRequest(String method, String url, Map<String, String> headers, byte[] body)
    implements Outgoing {

  public OutgoingRequest {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(url, "url");
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    body = body == null ? new byte[0] : body.clone();
  }

  static OutgoingRequest postJson(String url, Map<String, String> headers, JsonObject json) {
    Map<String, String> all = new LinkedHashMap<>(headers);
    all.put("Content-Type", "application/json");
    return new OutgoingRequest("POST", url, all, json.encode().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  public JsonObject bodyAsJson() {
    return new JsonObject(bodyAsString());
  }

  public String header(String name) {
    return headers.entrySet().stream()
        .filter(e -> e.getKey().equalsIgnoreCase(name))
        .map(Map.Entry::getValue)
        .findFirst()
        .orElse(null);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutgoingRequest r
        && method.equals(r.method)
        && url.equals(r.url)
        && headers.equals(r.headers)
        && Arrays.equals(body, r.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, url, headers, Arrays.hashCode(body));
  }

  /** Host only, header names only: URLs and headers carry tokens, and this ends up in logs. */
  @Override
  public String toString() {
    URI uri = URI.create(url);
    return "OutgoingRequest["
        + method
        + " "
        + uri.getScheme()
        + "://"
        + uri.getAuthority()
        + "/… headers="
        + headers.keySet()
        + " body="
        + body.length
        + " bytes]";
  }
}
