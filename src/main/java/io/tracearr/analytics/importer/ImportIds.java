package io.tracearr.analytics.importer;

import io.tracearr.analytics.api.NameBasedIds;
import java.util.UUID;

/**
 * The ids of imported users, titles and sessions: name-based UUIDs (version 5, RFC 4122 §4.3: SHA-1
 * of namespace + name). They must be the ids the media connector derives ({@code media/MediaIds} on
 * branch {@code media}: the same namespace, the same length-prefixed names {@code
 * kind|3:abc|4:1234}), so that an imported and a live session of one person on one server land on
 * one user and one title. Until that class moves to a base package the importer keeps this copy of
 * the scheme (the concerns may not depend on each other both ways); {@code ImportIdsTest} pins the
 * values, and the two must be changed together or not at all.
 *
 * <p>With a {@code server_id} everything lives under that server. Without one, under a stand-in
 * server per source tool ({@link #unboundServer}), so re-importing the same file without a server
 * id still derives the same ids.
 */
public final class ImportIds {

  /** media/MediaIds.NAMESPACE: fixed forever. */
  static final UUID NAMESPACE = NameBasedIds.NAMESPACE;

  private ImportIds() {}

  /** The stand-in server of an import that names none: one per source tool. */
  public static UUID unboundServer(ImportSource source) {
    return NameBasedIds.of(NAMESPACE, "server", "import", source.wireName());
  }

  public static UUID user(UUID serverId, String externalUserId) {
    return NameBasedIds.of(serverId, "user", externalUserId);
  }

  public static UUID content(UUID serverId, String externalItemId) {
    return NameBasedIds.of(serverId, "content", externalItemId);
  }

  /**
   * MediaIds.session with the source's own row id as the server session key: a row id ({@code
   * tautulli:session_history:123}) can never equal a live session key, and it is stable across
   * re-imports.
   */
  public static UUID session(UUID serverId, String sourceRowId, String externalItemId) {
    return NameBasedIds.of(serverId, "session", sourceRowId, externalItemId);
  }

  /** The shared scheme: {@link NameBasedIds}. */
  public static UUID v5(UUID namespace, String name) {
    return NameBasedIds.v5(namespace, name);
  }
}
