package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.auth.Role;
import io.vertx.core.json.JsonArray;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which frames one dashboard socket gets. A viewer or admin reads every topic and every user's
 * events; a {@code user} token reads only sessions and alerts, and only its own: service-wide
 * figures (stats) would tell it about other users. Import progress goes to admins only. Within
 * that, the client narrows the topics with {@code subscribe}. Control frames (hello, snapshot,
 * pong, error, subscribed) belong to no topic and always pass.
 *
 * <p>Pure: decided from the principal and the frame's topic and user alone, so a table of cases
 * tests it.
 */
final class Subscription {

  private final boolean readsAll;

  /** The user token's own id as events carry it ({@code data.user_id}); null for other tokens. */
  private final String userId;

  private final Set<Topic> readable;
  private final EnumSet<Topic> topics;

  Subscription(Principal who) {
    this.readsAll = who.canReadAll();
    this.userId = who.userId() == null ? null : who.userId().toString();
    // imports (file names, who uploaded) are for admins, as their REST resource is
    this.readable =
        Collections.unmodifiableSet(
            who.has(Role.ADMIN)
                ? EnumSet.allOf(Topic.class)
                : readsAll
                    ? EnumSet.of(Topic.SESSIONS, Topic.ALERTS, Topic.STATS)
                    : EnumSet.of(Topic.SESSIONS, Topic.ALERTS));
    this.topics = EnumSet.copyOf(readable);
  }

  boolean wants(Frame f) {
    return wants(f.topic(), f.userId());
  }

  /**
   * A frame of {@code topic} (null: a control frame) about {@code user} (null: about no one in
   * particular).
   */
  boolean wants(Topic topic, String user) {
    if (topic == null) return true;
    if (!topics.contains(topic)) return false;
    if (readsAll) return true;
    return userId != null && userId.equals(user);
  }

  /**
   * A client's {@code subscribe}: the topics named replace the current ones, as far as the role may
   * read them (a user asking for stats gets none, not an error, so one dashboard page serves every
   * role). Returns false, changing nothing, unless {@code requested} is a non-empty array of topic
   * names.
   */
  boolean subscribe(Object requested) {
    if (!(requested instanceof JsonArray names) || names.isEmpty()) return false;
    EnumSet<Topic> wanted = EnumSet.noneOf(Topic.class);
    for (Object name : names) {
      var topic = Topic.parse(name);
      if (topic.isEmpty()) return false;
      wanted.add(topic.get());
    }
    wanted.retainAll(readable);
    topics.clear();
    topics.addAll(wanted);
    return true;
  }

  Set<Topic> topics() {
    return Collections.unmodifiableSet(EnumSet.copyOf(topics));
  }

  /** The current topics as the protocol names them, in a fixed order (hello, subscribed). */
  JsonArray topicNames() {
    JsonArray names = new JsonArray();
    for (Topic t : topics) names.add(t.wireName());
    return names;
  }
}
