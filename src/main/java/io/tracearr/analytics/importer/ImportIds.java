package io.tracearr.analytics.importer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.UUID;

/**
 * The ids of imported users, titles and sessions: name-based UUIDs (version 5, RFC 4122 §4.3: SHA-1 of namespace +
 * name). They must be the ids the media connector derives ({@code media/MediaIds} on branch {@code media}: the same
 * namespace, the same length-prefixed names {@code kind|3:abc|4:1234}), so that an imported and a live session of one
 * person on one server land on one user and one title. Until that class moves to a base package the importer keeps
 * this copy of the scheme (the concerns may not depend on each other both ways); {@code ImportIdsTest} pins the
 * values, and the two must be changed together or not at all.
 *
 * <p>With a {@code server_id} everything lives under that server. Without one, under a stand-in server per source
 * tool ({@link #unboundServer}), so re-importing the same file without a server id still derives the same ids.
 */
public final class ImportIds {

  /** media/MediaIds.NAMESPACE: fixed forever. */
  static final UUID NAMESPACE = UUID.fromString("6f1d3c2e-8a4b-5e7f-9c0d-1a2b3c4d5e6f");

  private ImportIds() {}

  /** The stand-in server of an import that names none: one per source tool. */
  public static UUID unboundServer(ImportSource source) {
    return v5(NAMESPACE, name("server", "import", source.wireName()));
  }

  public static UUID user(UUID serverId, String externalUserId) {
    return v5(serverId, name("user", externalUserId));
  }

  public static UUID content(UUID serverId, String externalItemId) {
    return v5(serverId, name("content", externalItemId));
  }

  /**
   * MediaIds.session with the source's own row id as the server session key: a row id
   * ({@code tautulli:session_history:123}) can never equal a live session key, and it is stable across re-imports.
   */
  public static UUID session(UUID serverId, String sourceRowId, String externalItemId) {
    return v5(serverId, name("session", sourceRowId, externalItemId));
  }

  static UUID v5(UUID namespace, String name) {
    Objects.requireNonNull(namespace, "namespace");
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
