package io.tracearr.analytics.media;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.UUID;

/**
 * What {@link PlaybackTracker} asks of the session registry, in the registry's own command bodies
 * (the {@code SessionStart} / {@code SessionHeartbeat} schemas of openapi.yaml, validated by {@code
 * SessionInput}), so a watched server's playback is ingested exactly like a direct client's.
 */
public sealed interface SessionCommand {

  UUID sessionId();

  /**
   * Start a session; the body carries its {@code id}, so repeating it (a re-poll, another node
   * taking over) is answered 200 with the existing session by the registry's idempotent start.
   */
  record Start(UUID sessionId, JsonObject body) implements SessionCommand {
    public Start {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(body, "body");
    }
  }

  /**
   * Progress of a started session: status, position and the stream's facts as the last poll saw
   * them.
   */
  record Heartbeat(UUID sessionId, JsonObject body) implements SessionCommand {
    public Heartbeat {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(body, "body");
    }
  }

  /** End a session; {@code reason} is the {@code ended_reason} it should get ({@code client}). */
  record End(UUID sessionId, String reason) implements SessionCommand {
    public End {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(reason, "reason");
    }

    /**
     * {@code {"ended_reason": reason}}: today's end body has only {@code ended_at}; the reason is
     * the new key.
     */
    public JsonObject body() {
      return new JsonObject().put("ended_reason", reason);
    }
  }
}
