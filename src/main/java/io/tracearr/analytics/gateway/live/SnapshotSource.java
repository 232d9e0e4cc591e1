package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.detect.AlertRepository;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.session.SessionRepository;
import io.tracearr.analytics.stats.DailyStat;
import io.tracearr.analytics.stats.StatsRepository;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a dashboard sees on connect: active sessions, open alerts and today's stats, each read
 * through the query object of the concern that owns it (registry, detector, aggregator), straight
 * from PostgreSQL. Without the sessions there is no snapshot; a missing alert or stats answer
 * leaves that part null and names it in {@code unavailable}, so the page shows "n/a" for it rather
 * than nothing at all.
 */
public final class SnapshotSource {

  private final SessionRepository sessions;
  private final AlertRepository alerts;
  private final StatsRepository stats;

  /** the size of the last snapshot of every session: the next one is sized from it */
  private int lastSharedBytes;

  public SnapshotSource(SessionRepository sessions, AlertRepository alerts, StatsRepository stats) {
    this.sessions = sessions;
    this.alerts = alerts;
    this.stats = stats;
  }

  /**
   * The snapshot frame for {@code who}; the same bytes may go to every viewer and admin waiting for
   * one.
   */
  public Future<Frame> load(Principal who) {
    boolean all = who.canReadAll();
    // the frame is written in one buffer, sized from the last one: the sessions go straight into
    // it (no separate array, no copy into the frame), so building a 32 MB snapshot peaks at about
    // the buffer and the frame's bytes instead of four copies (bench/run scenario 7's OOM)
    int guess =
        all ? (int) Math.min(Integer.MAX_VALUE - 8, lastSharedBytes + lastSharedBytes / 8) : 0;
    Buffer frame = Frame.encodedPrefix("snapshot", Math.max(4096, guess));
    frame.appendString("{\"active_sessions\":");
    Future<Buffer> active = sessions.activeJson(all ? null : who.userId(), frame);
    Future<List<JsonObject>> open = alerts.open();
    Future<JsonObject> today =
        all
            ? stats.liveDay(stats.calendar().today()).map(DailyStat::toJson)
            : Future.succeededFuture(null);
    return Future.join(active, open, today)
        .transform(
            ignored -> {
              if (active.failed()) return Future.failedFuture(active.cause());
              JsonArray unavailable = new JsonArray();
              JsonArray openAlerts = null;
              if (open.succeeded()) {
                openAlerts = new JsonArray();
                for (JsonObject a : open.result()) {
                  if (all || isOwn(a, who)) openAlerts.add(a);
                }
              } else {
                unavailable.add("open_alerts");
              }
              if (all && today.failed()) unavailable.add("today");
              // {"active_sessions", "open_alerts", "today", "unavailable"}
              frame
                  .appendString(",\"open_alerts\":")
                  .appendString(openAlerts == null ? "null" : openAlerts.encode())
                  .appendString(",\"today\":")
                  .appendString(
                      today.succeeded() && today.result() != null
                          ? today.result().encode()
                          : "null")
                  .appendString(",\"unavailable\":")
                  .appendString(unavailable.encode())
                  .appendString("}");
              if (all) lastSharedBytes = frame.length();
              return Future.succeededFuture(Frame.ofWhole("snapshot", frame));
            });
  }

  private static boolean isOwn(JsonObject item, Principal who) {
    return who.userId() != null
        && who.userId().toString().equals(String.valueOf(item.getValue("user_id")));
  }
}
