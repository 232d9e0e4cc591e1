package io.tracearr.analytics.gateway.auth;

import java.util.Locale;
import java.util.Optional;

/** What a token may do: admin everything, ingest writes sessions, viewer reads everything, user its own. */
public enum Role {
  ADMIN, INGEST, VIEWER, USER;

  public static Optional<Role> parse(String s) {
    try {
      return Optional.of(Role.valueOf(s.trim().toUpperCase(Locale.ROOT)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
