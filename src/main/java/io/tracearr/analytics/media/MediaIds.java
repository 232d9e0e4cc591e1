package io.tracearr.analytics.media;

import io.tracearr.analytics.api.NameBasedIds;
import java.util.UUID;

/**
 * Name-based ids (UUID version 5, RFC 4122 §4.3: SHA-1 of namespace + name) for everything that
 * comes from a media server. Every node, every poll and every import derives the same id for the
 * same thing, so the registry's idempotent start and the tables' primary keys do the
 * de-duplication.
 *
 * <p>A server's id lives under {@link #NAMESPACE}; everything on that server lives under the
 * server's id, so two servers never share a user, item or device id by accident. Names are
 * length-prefixed parts ({@code kind|3:abc|4:1234}) so that no two different part lists can spell
 * the same name.
 */
public final class MediaIds {

  /** Fixed forever: changing it would give every known server, user and title a new id. */
  public static final UUID NAMESPACE = NameBasedIds.NAMESPACE;

  private MediaIds() {}

  /**
   * A server from its own identity: Jellyfin/Emby {@code SystemInfo.Id}, Plex {@code
   * machineIdentifier}. The URL is the fallback for a server added without validation (its own id
   * unknown until the first answer).
   */
  public static UUID server(ServerType type, String ownIdOrUrl) {
    return NameBasedIds.of(NAMESPACE, "server", type.id(), ownIdOrUrl);
  }

  /** One playback of one item on one server session: the id of our session. */
  public static UUID session(UUID serverId, String serverSessionKey, String itemId) {
    return session(serverId, serverSessionKey, itemId, 0);
  }

  /**
   * The n-th replay of the same item on the same server session. Jellyfin's session id is stable
   * per device, so watching a title again on the same device would otherwise land on the ended
   * session's id; replay 0 is the plain {@link #session(UUID, String, String)}.
   */
  public static UUID session(UUID serverId, String serverSessionKey, String itemId, int replay) {
    return replay == 0
        ? NameBasedIds.of(serverId, "session", serverSessionKey, itemId)
        : NameBasedIds.of(serverId, "session", serverSessionKey, itemId, Integer.toString(replay));
  }

  public static UUID user(UUID serverId, String externalUserId) {
    return NameBasedIds.of(serverId, "user", externalUserId);
  }

  public static UUID content(UUID serverId, String externalItemId) {
    return NameBasedIds.of(serverId, "content", externalItemId);
  }

  public static UUID device(UUID serverId, String deviceId) {
    return NameBasedIds.of(serverId, "device", deviceId);
  }

  /** The shared scheme: {@link NameBasedIds}. */
  public static UUID v5(UUID namespace, String name) {
    return NameBasedIds.v5(namespace, name);
  }
}
