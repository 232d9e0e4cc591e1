package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user ranking over past days and today, with more past users than the node keeps of the past
 * part ({@code limit + UsageRepository.PAST_USERS_MARGIN}): only today's users who can still reach
 * the answer have their past days looked up, and the answer is the same as if every one had been.
 *
 * <p>Seeded, all in UTC: 600 users {@code P0..P599} with one session two days ago of {@code 1000 +
 * i} s each; today P0 plays 600 s (1 600 s in all), P1 100 s (1 101 s), P595 10 s (1 605 s), and X,
 * who never played before, 1 596.5 s. With limit 10 the past part keeps P90..P599; the most any
 * other user had is P90's 1 090 s. The week's top 10 by watch time, by hand: P595 1 605, P0 1 600,
 * P599 1 599, P598 1 598, P597 1 597, X 1 596.5, P596 1 596, P594 1 594, P593 1 593, P592 1 592. P0
 * is outside the past part and reaches the answer through today alone: with the bound taken as 0
 * instead of P90's figure it would be missing.
 */
class TopUsersBeyondPastPartTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.seededHistory();

  static final TestNode node = nodes.node();
  static final String X = "41000000-0000-0000-0000-000000000001";

  static String user(int i) {
    return "40000000-0000-0000-0000-%012d".formatted(i);
  }

  @BeforeAll
  static void seed() {
    Seed.startupJobsDone(node);
    String columns =
        """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
          ip_address, transcoded, resolution, bytes_transferred, status, started_at, ended_at, last_heartbeat_at,
          duration_seconds, ended_reason)
        """;
    String session =
        """
        SELECT gen_random_uuid(), %s, 'movie', gen_random_uuid(), 'Plex Web', 'Chrome', 'k', '10.0.0.1'::inet, false,
          '1080p', 1000, 'ended', %s, %s + make_interval(secs => %s), %s + make_interval(secs => %s), %s, 'client'
        """;
    String twoDaysAgo =
        "date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '36 hours'";
    node.sql(
        columns
            + session.formatted(
                "('40000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid",
                twoDaysAgo,
                twoDaysAgo,
                "1000 + i",
                twoDaysAgo,
                "1000 + i",
                "1000 + i")
            + " FROM generate_series(0, 599) i");
    Seed.rollup(node);
    String today =
        "date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 second'";
    List<String> todays = new ArrayList<>();
    for (Object[] play :
        new Object[][] {{user(0), 600}, {user(1), 100}, {user(595), 10}, {X, 1596.5}}) {
      todays.add(
          session.formatted(
              "'" + play[0] + "'::uuid", today, today, play[1], today, play[1], play[1]));
    }
    node.sql(columns + String.join(" UNION ALL ", todays));
  }

  @Test
  void todaysUsersOutsideThePastPartReachTheAnswerOnlyWhenTheyCan() {
    JsonArray week =
        node.get("/api/v1/analytics/stats/top-users?window=week&limit=10", TestNode.VIEWER_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < week.size(); i++) ids.add(week.getJsonObject(i).getString("user_id"));
    assertEquals(
        List.of(
            user(595), user(0), user(599), user(598), user(597), X, user(596), user(594), user(593),
            user(592)),
        ids,
        week.encode());
    // whole-range figures: past days and today
    assertEquals(2, week.getJsonObject(0).getInteger("plays"));
    assertEquals(26, week.getJsonObject(1).getInteger("watch_minutes")); // 1 600 s
    assertEquals(1, week.getJsonObject(5).getInteger("plays"));
  }
}
