package io.tracearr.analytics.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.UUID;

/**
 * Ids derived from outside names (RFC 4122 version 5: SHA-1 of a namespace and a name), so that
 * every node, every poll of a media server and every import derive the same id for the same person,
 * title or playback. The one scheme shared by the media connector ({@code media/MediaIds}) and the
 * importer ({@code importer/ImportIds}): a name is a kind followed by length-prefixed parts ({@code
 * kind|3:abc|4:1234}), so two different part lists can never give the same name.
 */
public final class NameBasedIds {

  /** Fixed forever: changing it would give every known server, user and title a new id. */
  public static final UUID NAMESPACE = UUID.fromString("6f1d3c2e-8a4b-5e7f-9c0d-1a2b3c4d5e6f");

  private NameBasedIds() {}

  /** The id of {@code kind} named by {@code parts} under {@code namespace}. */
  public static UUID of(UUID namespace, String kind, String... parts) {
    return v5(namespace, name(kind, parts));
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
    sha1.update(
        ByteBuffer.allocate(16)
            .putLong(namespace.getMostSignificantBits())
            .putLong(namespace.getLeastSignificantBits())
            .array());
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
