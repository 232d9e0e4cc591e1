package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upgrade of a WebSocket route: the same tokens as REST, from the Authorization header or
 * {@code ?access_token=} (browsers cannot set headers on a WebSocket). A refused upgrade is an
 * ordinary HTTP problem+json response: 401 without a valid token, 403 for a role that may not use
 * the channel, 400 for a request that is not an upgrade.
 */
public final class WebSocketDoor {

  private static final Logger log = LoggerFactory.getLogger(WebSocketDoor.class);

  /** Both channels ping every 30 s: a socket silent four times that long is gone. */
  static final int WEBSOCKET_IDLE_SECONDS = 120;

  /**
   * An accepted socket. {@code cut} drops the TCP connection at once: every close Vert.x offers
   * first flushes what is queued, which a peer that stopped reading never lets happen. {@code
   * connection} is the upgraded HTTP connection (same channel), for {@link Outbox}.
   */
  public record Upgraded(
      ServerWebSocket ws, Principal who, Runnable cut, HttpConnection connection) {}

  private final BearerAuth auth;
  private final Predicate<Principal> allowed;
  private final String forbidden;

  public WebSocketDoor(BearerAuth auth, Predicate<Principal> allowed, String forbidden) {
    this.auth = auth;
    this.allowed = allowed;
    this.forbidden = forbidden;
  }

  public void upgrade(RoutingContext rc, Consumer<Upgraded> onOpen) {
    // held until the handshake, so nothing of the request is consumed while the token is checked
    rc.request().pause();
    auth.authenticate(BearerAuth.tokenOf(rc, true))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                refuse(
                    rc,
                    ar.cause() instanceof Problem p ? p : Problem.unauthorized("Invalid token"));
              } else if (!allowed.test(ar.result())) {
                refuse(rc, Problem.forbidden(forbidden));
              } else if (!rc.request().canUpgradeToWebSocket()) {
                refuse(
                    rc,
                    new Problem(
                        400,
                        "websocket-required",
                        "WebSocket upgrade required",
                        "Connect to this resource with a WebSocket upgrade",
                        null));
              } else {
                Principal who = ar.result();
                HttpConnection connection = rc.request().connection();
                Runnable cut = VertxInternals.abortiveClose(connection);
                rc.request()
                    .toWebSocket()
                    .onComplete(
                        ws -> {
                          // the server's short idle timeout is for half-sent requests; a socket is
                          // kept alive by pings instead
                          if (ws.succeeded())
                            VertxInternals.idleTimeout(connection, WEBSOCKET_IDLE_SECONDS);
                          if (ws.succeeded())
                            onOpen.accept(new Upgraded(ws.result(), who, cut, connection));
                          else log.debug("WebSocket handshake failed: {}", ws.cause().toString());
                        });
              }
            });
  }

  private static void refuse(RoutingContext rc, Problem p) {
    rc.request().resume();
    HttpReplies.problem(rc, p);
  }
}
