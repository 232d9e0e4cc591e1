package io.tracearr.analytics.media;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The state machine of one watched server: from each poll's list of playing items to the start,
 * heartbeat and end commands for our session registry. Pure (no clock, no I/O); one instance per
 * server on the node that watches it.
 *
 * <ul>
 *   <li>One playback of one item is one of our sessions, its id {@link MediaIds#session}: a
 *       re-poll, or the next node after a takeover, derives the same id and the registry's
 *       idempotent start does the rest. So a tracker that starts empty simply starts everything it
 *       sees.
 *   <li>A started playback gets a heartbeat on every poll that sees it (position, status, stream
 *       facts). A new playback gets its start and, in the same poll, a first heartbeat: the start
 *       body has no position or status, and a playback first seen paused must not read as playing
 *       until the next poll.
 *   <li>The same server session showing another item (or another user) ends the old session and
 *       starts a new one.
 *   <li>A playback missing from {@value #MISSES_TO_END} consecutive successful answers ends with
 *       reason {@code client}; one miss is forgiven, so a single partial answer (a session briefly
 *       left out while it seeks or its transcode restarts) ends nothing. The second answer need not
 *       wait for the next poll: after a poll that missed a playback ({@link #awaitsConfirmation}),
 *       the watcher asks again shortly and hands the answer to {@link #confirm}, which decides the
 *       missed playbacks only.
 *   <li>An unreachable poll ends nothing and does not count as a miss: if the server stays away,
 *       the registry's timeout ends the sessions; if it comes back in time, they continue.
 * </ul>
 */
public final class PlaybackTracker {

  public static final int MISSES_TO_END = 2;
  public static final String ENDED_REASON = "client";

  /**
   * Stand-in for a server that reports no usable client address: non-routable, so never geolocated.
   */
  static final String UNKNOWN_IP = "0.0.0.0";

  static final double MAX_POSITION_SECONDS = 10_000_000d;

  /**
   * Ended playbacks remembered per server session key, to number replays; bounded, oldest forgotten
   * first.
   */
  private static final int REMEMBERED_ENDS = 1_000;

  private final UUID serverId;
  private final Map<String, Tracked> tracked = new LinkedHashMap<>();
  private final Map<String, Ended> ended =
      new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Ended> eldest) {
          return size() > REMEMBERED_ENDS;
        }
      };

  private static final class Tracked {
    final UUID sessionId;
    final String itemId;
    final String userId;
    final int replay;
    ObservedPlayback last;
    int misses;

    Tracked(UUID sessionId, ObservedPlayback p, int replay) {
      this.sessionId = sessionId;
      this.itemId = p.itemId();
      this.userId = p.externalUserId();
      this.replay = replay;
      this.last = p;
    }

    boolean samePlayback(ObservedPlayback p) {
      return itemId.equals(p.itemId()) && userId.equals(p.externalUserId());
    }
  }

  private record Ended(String itemId, int replay) {}

  public PlaybackTracker(UUID serverId) {
    this.serverId = serverId;
  }

  public UUID serverId() {
    return serverId;
  }

  public List<SessionCommand> apply(PollResult poll) {
    if (poll instanceof PollResult.Seen seen) return seen(seen.playing());
    return unreachable();
  }

  /** A successful poll: {@code playing} is everything playing on the server now. */
  public List<SessionCommand> seen(List<ObservedPlayback> playing) {
    Map<String, ObservedPlayback> now = new LinkedHashMap<>();
    for (ObservedPlayback p : playing)
      now.put(p.serverSessionKey(), p); // one item per server session
    List<SessionCommand> out = new ArrayList<>();
    endMissing(now, out);
    for (ObservedPlayback p : now.values()) {
      Tracked t = tracked.get(p.serverSessionKey());
      if (t != null && t.samePlayback(p)) {
        t.misses = 0;
        t.last = p;
        out.add(new SessionCommand.Heartbeat(t.sessionId, heartbeatBody(p)));
        continue;
      }
      if (t != null) end(p.serverSessionKey(), t, out);
      start(p, out);
    }
    return out;
  }

  /**
   * Whether the last successful answer missed a playback that has not ended yet: a confirmation
   * ({@link #confirm}) would decide it before the next poll.
   */
  public boolean awaitsConfirmation() {
    for (Tracked t : tracked.values()) {
      if (t.misses > 0) return true;
    }
    return false;
  }

  /**
   * A confirming answer, asked for shortly after a poll that missed playbacks: only those are
   * decided; everything else (new playbacks, positions, pauses) is left to the next poll, so a
   * confirmation sends no heartbeat and no start, and its ends need no order with the poll's
   * commands still in flight (that poll sent nothing for a playback it missed).
   *
   * <ul>
   *   <li>back (same item, same user): the miss is forgiven, the session goes on;
   *   <li>still missing: a further miss, the end once {@value #MISSES_TO_END} are counted;
   *   <li>its server session now shows another item or user: the playback is over (ended now; the
   *       next poll starts the new one, as it would have after a miss).
   * </ul>
   */
  public List<SessionCommand> confirm(List<ObservedPlayback> playing) {
    Map<String, ObservedPlayback> now = new LinkedHashMap<>();
    for (ObservedPlayback p : playing) now.put(p.serverSessionKey(), p);
    List<SessionCommand> out = new ArrayList<>();
    Iterator<Map.Entry<String, Tracked>> it = tracked.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Tracked> e = it.next();
      Tracked t = e.getValue();
      if (t.misses == 0) continue;
      ObservedPlayback p = now.get(e.getKey());
      if (p != null && t.samePlayback(p)) {
        t.misses = 0;
        t.last = p;
        continue;
      }
      t.misses = p == null ? t.misses + 1 : MISSES_TO_END;
      if (t.misses >= MISSES_TO_END) {
        it.remove();
        remember(e.getKey(), t);
        out.add(new SessionCommand.End(t.sessionId, ENDED_REASON));
      }
    }
    return out;
  }

  /** A failed poll: nothing ends and no playback is counted missing. */
  public List<SessionCommand> unreachable() {
    return List.of();
  }

  /**
   * The registry says one of our open sessions has already ended (its start answered an ended
   * session, or a heartbeat was refused): the server's playback outlived it, e.g. a server away
   * longer than the session timeout, or a device replaying an item after a restart of this tracker.
   * The playback continues as the next replay: the start and first heartbeat of a new session.
   * Empty when the id is not one of ours.
   */
  public List<SessionCommand> alreadyEnded(UUID sessionId) {
    for (Map.Entry<String, Tracked> e : tracked.entrySet()) {
      Tracked t = e.getValue();
      if (!t.sessionId.equals(sessionId)) continue;
      String key = e.getKey();
      tracked.remove(key);
      remember(key, t);
      List<SessionCommand> out = new ArrayList<>();
      start(t.last, out);
      return out;
    }
    return List.of();
  }

  /** Playbacks this tracker has started and not ended. */
  public int trackedCount() {
    return tracked.size();
  }

  /**
   * The last observation of one of our open sessions, e.g. its {@code controlId} for the server's
   * stop call.
   */
  public Optional<ObservedPlayback> playbackOf(UUID sessionId) {
    for (Tracked t : tracked.values()) {
      if (t.sessionId.equals(sessionId)) return Optional.of(t.last);
    }
    return Optional.empty();
  }

  private void endMissing(Map<String, ObservedPlayback> now, List<SessionCommand> out) {
    Iterator<Map.Entry<String, Tracked>> it = tracked.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Tracked> e = it.next();
      if (now.containsKey(e.getKey())) continue;
      Tracked t = e.getValue();
      t.misses++;
      if (t.misses >= MISSES_TO_END) {
        it.remove();
        remember(e.getKey(), t);
        out.add(new SessionCommand.End(t.sessionId, ENDED_REASON));
      }
    }
  }

  private void end(String key, Tracked t, List<SessionCommand> out) {
    tracked.remove(key);
    remember(key, t);
    out.add(new SessionCommand.End(t.sessionId, ENDED_REASON));
  }

  private void remember(String key, Tracked t) {
    ended.remove(key);
    ended.put(key, new Ended(t.itemId, t.replay));
  }

  private void start(ObservedPlayback p, List<SessionCommand> out) {
    Ended before = ended.get(p.serverSessionKey());
    // the id names key and item only, so any earlier end of this key and item (whoever watched)
    // takes its id
    int replay = before != null && before.itemId.equals(p.itemId()) ? before.replay + 1 : 0;
    UUID id = MediaIds.session(serverId, p.serverSessionKey(), p.itemId(), replay);
    tracked.put(p.serverSessionKey(), new Tracked(id, p, replay));
    out.add(new SessionCommand.Start(id, startBody(id, p)));
    out.add(new SessionCommand.Heartbeat(id, heartbeatBody(p)));
  }

  /**
   * The registry's {@code SessionStart}, plus the naming keys the connector adds ({@code
   * user_name}, {@code series_title}, {@code season_number}, {@code episode_number}, {@code year},
   * {@code media_duration_seconds}, {@code server_id}). Required text falls back to a placeholder
   * rather than losing the session: a server that names neither device nor client still has a
   * playback to count.
   */
  JsonObject startBody(UUID id, ObservedPlayback p) {
    String client = firstNonBlank(p.client(), p.platform(), "unknown");
    JsonObject body =
        new JsonObject()
            .put("id", id.toString())
            .put("user_id", MediaIds.user(serverId, p.externalUserId()).toString())
            .put("content_type", p.contentType())
            .put("content_id", MediaIds.content(serverId, p.itemId()).toString())
            .put("content_title", Lenient.truncate(p.title(), 300))
            .put("client_name", Lenient.truncate(client, 100))
            .put(
                "device_name",
                Lenient.truncate(firstNonBlank(p.deviceName(), client, "unknown"), 100))
            .put("ip_address", p.ipAddress() == null ? UNKNOWN_IP : p.ipAddress())
            .put("transcoded", p.transcoded());
    if (p.deviceId() != null)
      body.put("device_id", MediaIds.device(serverId, p.deviceId()).toString());
    if (p.resolution() != null) body.put("resolution", p.resolution());
    if (p.bandwidthKbps() != null) body.put("bandwidth_kbps", p.bandwidthKbps());
    putIfPresent(body, "user_name", p.userName());
    putIfPresent(body, "series_title", p.seriesTitle());
    putIfPresent(body, "season_number", p.seasonNumber());
    putIfPresent(body, "episode_number", p.episodeNumber());
    putIfPresent(body, "year", p.year());
    putIfPresent(body, "media_duration_seconds", p.durationSeconds());
    body.put("server_id", serverId.toString());
    return body;
  }

  /**
   * The registry's {@code SessionHeartbeat}: only what the poll knows, so an unknown fact never
   * erases a known one.
   */
  static JsonObject heartbeatBody(ObservedPlayback p) {
    JsonObject body =
        new JsonObject()
            .put("status", p.status())
            .put(
                "position_seconds",
                Math.min(Math.max(p.positionSeconds(), 0d), MAX_POSITION_SECONDS))
            .put("transcoded", p.transcoded());
    if (p.resolution() != null) body.put("resolution", p.resolution());
    if (p.bandwidthKbps() != null) body.put("bandwidth_kbps", p.bandwidthKbps());
    if (p.ipAddress() != null) body.put("ip_address", p.ipAddress());
    return body;
  }

  private static void putIfPresent(JsonObject body, String key, Object value) {
    if (value != null) body.put(key, value);
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) return v;
    }
    return null;
  }
}
