package io.tracearr.analytics.gateway.auth;

import io.tracearr.analytics.api.Problem;
import java.util.Set;
import java.util.UUID;

/** Who is calling. {@code userId} is set for JWTs whose subject is a user id. */
public record Principal(String name, Set<Role> roles, UUID userId) {

  public static final String CONTEXT_KEY = "principal";

  public boolean has(Role role) {
    return roles.contains(role);
  }

  public boolean canWriteSessions() {
    return has(Role.ADMIN) || has(Role.INGEST);
  }

  public boolean canReadAll() {
    return has(Role.ADMIN) || has(Role.VIEWER);
  }

  /** Reads of one user's data: viewer/admin, or that user itself. */
  public boolean canRead(UUID user) {
    return canReadAll() || (has(Role.USER) && userId != null && userId.equals(user));
  }

  public void requireWriteSessions() {
    if (!canWriteSessions())
      throw Problem.forbidden("Writing sessions needs the ingest or admin role");
  }

  public void requireAdmin() {
    if (!has(Role.ADMIN)) throw Problem.forbidden("This needs the admin role");
  }

  public void requireReadAll() {
    if (!canReadAll()) throw Problem.forbidden("This needs the viewer or admin role");
  }

  public void requireRead(UUID user) {
    if (!canRead(user)) throw Problem.forbidden("A user token may only read its own data");
  }

  /** May read something of some kind at all (viewer, admin or user). */
  public void requireAnyRead() {
    if (!canReadAll() && !has(Role.USER))
      throw Problem.forbidden("This needs the viewer, admin or user role");
  }
}
