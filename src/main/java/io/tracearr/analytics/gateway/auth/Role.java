package io.tracearr.analytics.gateway.auth;

import java.util.Optional;

/**
 * What a token may do: admin everything, ingest writes sessions, viewer reads everything, user its
 * own.
 */
public enum Role {
  ADMIN,
  INGEST,
  VIEWER,
  USER;

  /**
   * The role named exactly (lower case, as documented); " admin" or "Admin" is no role (issue 19
   * F7).
   */
  public static Optional<Role> parse(String s) {
    for (Role r : values()) if (r.claim().equals(s)) return Optional.of(r);
    return Optional.empty();
  }

  /** The name of the role in a JWT's roles claim. */
  public String claim() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
