package io.tracearr.analytics.stats;

import io.tracearr.analytics.NodeContext;
import io.tracearr.analytics.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

/** Keeps the roll-up tables current and answers the stats endpoints from them. */
public final class AggregatorVerticle extends VerticleBase {

  private final NodeContext node;

  public AggregatorVerticle(NodeContext node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.STATS_TODAY_QUERY, msg ->
        node.pool().query("SELECT current_date AS d, count(*) AS n, count(DISTINCT user_id) AS u "
            + "FROM playback_sessions WHERE started_at >= date_trunc('day', now())").execute()
            .onSuccess(rows -> {
              var r = rows.iterator().next();
              msg.reply(new JsonObject().put("date", r.getLocalDate("d").toString()).put("total_sessions", r.getLong("n"))
                  .put("unique_users", r.getLong("u")));
            })
            .onFailure(err -> msg.fail(503, err.getMessage()))).completion();
  }
}
