package io.tracearr.analytics.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Pins the ids an import derives. The expected values are RFC 4122 version 5 UUIDs computed
 * independently (Python's {@code uuid.uuid5}) over the length-prefixed names of media/MediaIds, so
 * a change to either scheme shows here: an imported and a live session of one person must land on
 * one user.
 */
class ImportIdsTest {

  static final UUID SERVER = UUID.fromString("5e7e4f00-0000-0000-0000-00000000cafe");

  @Test
  void idsAreUuid5OfTheMediaConnectorsNames() {
    // uuid5(SERVER, "user|4:1001")
    assertEquals(
        UUID.fromString("c1514ed8-45e9-55c0-b435-05fe33cb1dec"), ImportIds.user(SERVER, "1001"));
    // uuid5(SERVER, "content|32:c0000000000000000000000000000501")
    assertEquals(
        UUID.fromString("428eeaca-523c-5baf-bd64-47d437060a9e"),
        ImportIds.content(SERVER, "c0000000000000000000000000000501"));
    // uuid5(SERVER, "session|26:tautulli:session_history:1|3:501")
    assertEquals(
        UUID.fromString("543bcb09-e640-58f6-b373-ce64aa41f3fc"),
        ImportIds.session(SERVER, "tautulli:session_history:1", "501"));
    // uuid5(NAMESPACE, "server|6:import|8:tautulli")
    assertEquals(
        UUID.fromString("8902553b-0675-55d7-85b3-139150b448bc"),
        ImportIds.unboundServer(ImportSource.TAUTULLI));
  }

  @Test
  void eachSourceWithoutAServerHasItsOwnScope() {
    assertNotEquals(
        ImportIds.unboundServer(ImportSource.JELLYSTAT),
        ImportIds.unboundServer(ImportSource.PLAYBACK_REPORTING));
  }
}
