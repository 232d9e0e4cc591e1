package io.tracearr.analytics.media;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.UUID;

/**
 * Name-based ids (UUID version 5, RFC 4122 §4.3: SHA-1 of namespace + name) for everything that comes from a
 * media server. Every node, every poll and every import derives the same id for the same thing, so the
 * registry's idempotent start and the tables' primary keys do the de-duplication.
 *
 * <p>A server's id lives under {@link #NAMESPACE}; everything on that server lives under the server's id, so
 * two servers never share a user, item or device id by accident. Names are length-prefixed parts
 * ({@code kind|3:abc|4:1234}) so that no two different part lists can spell the same name.
 */
public final class MediaIds {

  /** Fixed forever: changing it would give every known server, user and title a new id. */
  public static final UUID NAMESPACE = UUID.fromString("6f1d3c2e-8a4b-5e7f-9c0d-1a2b3c4d5e6f");

  private MediaIds() {}

  /**
   * A server from its own identity: Jellyfin/Emby {@code SystemInfo.Id}, Plex {@code machineIdentifier}. The URL
   * is the fallback for a server added without validation (its own id unknown until the first answer).
   */
  public static UUID server(ServerType type, String ownIdOrUrl) {
    return v5(NAMESPACE, name("server", type.id(), ownIdOrUrl));
  }

  /** One playback of one item on one server session: the id of our session. */
  public static UUID session(UUID serverId, String serverSessionKey, String itemId) {
    return session(serverId, serverSessionKey, itemId, 0);
  }

  /**
   * The n-th replay of the same item on the same server session. Jellyfin's session id is stable per device, so
   * watching a title again on the same device would otherwise land on the ended session's id; replay 0 is the
   * plain {@link #session(UUID, String, String)}.
   */
  public static UUID session(UUID serverId, String serverSessionKey, String itemId, int replay) {
    return replay == 0
        ? v5(serverId, name("session", serverSessionKey, itemId))
        : v5(serverId, name("session", serverSessionKey, itemId, Integer.toString(replay)));
  }

  public static UUID user(UUID serverId, String externalUserId) {
    return v5(serverId, name("user", externalUserId));
  }

  public static UUID content(UUID serverId, String externalItemId) {
    return v5(serverId, name("content", externalItemId));
  }

  public static UUID device(UUID serverId, String deviceId) {
    return v5(serverId, name("device", deviceId));
  }

  /** RFC 4122 version 5 UUID of {@code name} (UTF-8) in {@code namespace}. */
  public static UUID v5(UUID namespace, String name) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    MessageDigest sha1;
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform provides SHA-1", e);
    }
    sha1.update(ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits())
        .putLong(namespace.getLeastSignificantBits()).array());
    byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
    hash[6] = (byte) ((hash[6] & 0x0f) | 0x50); // version 5
    hash[8] = (byte) ((hash[8] & 0x3f) | 0x80); // IETF variant
    ByteBuffer b = ByteBuffer.wrap(hash, 0, 16);
    return new UUID(b.getLong(), b.getLong());
  }

  private static String name(String kind, String... parts) {
    StringBuilder sb = new StringBuilder(kind);
    for (String p : parts) {
      Objects.requireNonNull(p, kind + " id part");
      sb.append('|').append(p.length()).append(':').append(p);
    }
    return sb.toString();
  }
}
