package io.tracearr.analytics.media;

/**
 * A media server answered something that is not the shape its API documents (HTML from a proxy,
 * invalid JSON, an object where a list belongs). The watcher maps it to the server status "error";
 * it never escapes as a crash.
 */
public final class MalformedPayload extends Exception {

  public MalformedPayload(String message) {
    super(message, null, false, false);
  }
}
