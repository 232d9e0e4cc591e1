package io.tracearr.analytics.importer;

import io.tracearr.analytics.api.Problem;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The form fields of {@code POST /imports} besides the file, checked once: every bad field is named
 * in one 400.
 *
 * @param serverId the media server the history belongs to (null: none). Any UUID is accepted:
 *     media_servers comes with the media connector, and an id need not be configured yet for its
 *     derived ids to be the right ones.
 * @param timezone the zone of a source that writes local times without an offset (Playback
 *     Reporting); null: UTC
 */
public record ImportRequest(ImportSource source, UUID serverId, ZoneId timezone) {

  public static ImportRequest parse(String source, String serverId, String timezone) {
    List<Problem.FieldError> errors = new ArrayList<>();
    ImportSource s = null;
    try {
      s = ImportSource.fromWireName(source);
    } catch (Problem p) {
      errors.addAll(p.errors());
    }
    UUID server = null;
    if (serverId != null && !serverId.isBlank()) {
      try {
        if (serverId.strip().length() == 36) server = UUID.fromString(serverId.strip());
      } catch (IllegalArgumentException ignored) {
        // reported below
      }
      if (server == null) errors.add(new Problem.FieldError("server_id", "must be a UUID"));
    }
    ZoneId zone = null;
    if (timezone != null && !timezone.isBlank()) {
      try {
        zone = ZoneId.of(timezone.strip());
      } catch (DateTimeException e) {
        errors.add(
            new Problem.FieldError("timezone", "must be an IANA time zone such as Europe/Berlin"));
      }
    }
    if (!errors.isEmpty()) throw Problem.validation(errors);
    return new ImportRequest(s, server, zone);
  }
}
