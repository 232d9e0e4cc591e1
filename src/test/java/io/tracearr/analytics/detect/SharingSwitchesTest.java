package io.tracearr.analytics.detect;

import static io.tracearr.analytics.detect.SharingFixture.LAN;
import static io.tracearr.analytics.detect.SharingFixture.PARIS;
import static io.tracearr.analytics.detect.SharingFixture.SYRACUSE;
import static io.tracearr.analytics.detect.SharingFixture.startBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code sharing_detection.enabled=false} switches every rule off; each rule's switch turns off
 * just that rule; a trusted network is never located.
 */
class SharingSwitchesTest {

  @RegisterExtension
  static final NodeExtension offNode =
      NodeExtension.single(
          SharingFixture.withGeoIp(new JsonObject().put("enabled", false).put("sweep_seconds", 1)));

  @RegisterExtension
  static final NodeExtension partialNode =
      NodeExtension.single(
          SharingFixture.withGeoIp(
              new JsonObject()
                  .put(
                      "rules",
                      new JsonObject().put("concurrent_streams", false).put("device_spike", false))
                  .put("trusted_networks", new JsonArray().add("81.2.69.0/24"))));

  static final TestNode off = offNode.node();
  static final TestNode partial = partialNode.node();
  static SharingFixture fOff;
  static SharingFixture fPartial;

  @BeforeAll
  static void fixtures() {
    fOff = new SharingFixture(off);
    fPartial = new SharingFixture(partial);
  }

  static void violateEveryRule(SharingFixture f, UUID user) {
    f.startAll(
        List.of(
            startBody(user, "d1", LAN, null),
            startBody(user, "d2", LAN, null),
            startBody(user, "d3", LAN, null),
            startBody(user, "d4", LAN, null),
            startBody(user, "d5", LAN, null),
            startBody(user, "d6", LAN, null)));
    // travel: Syracuse ended 70 min before Paris starts (overlapping Paris + Syracuse are geo only)
    f.endAt(
        f.start(user, "old", SYRACUSE, Instant.now().minus(Duration.ofMinutes(80))),
        Instant.now().minus(Duration.ofMinutes(70)));
    f.start(user, "laptop", PARIS);
    f.start(user, "tv", SYRACUSE);
  }

  @Test
  void detectionSwitchedOffRaisesNothingAndSweepsNothing() {
    UUID user = UUID.randomUUID();
    violateEveryRule(fOff, user);
    assertEquals(List.of(), fOff.detect(), "POST /detect runs no rule");
    assertEquals(List.of(), fOff.alerts(user));
    assertEquals(0, off.count("SELECT count(*) FROM sharing_alerts"));
    assertEquals(
        0,
        off.count("SELECT count(*) FROM job_runs WHERE job = 'detect-sweep'"),
        "no periodic sweep");
  }

  @Test
  void switchedOffRulesAreSkippedAndTheOthersStillJudge() {
    UUID user = UUID.randomUUID();
    violateEveryRule(fPartial, user);
    fPartial.awaitAlert(user, "geo_impossible");
    fPartial.detect();
    assertEquals(
        List.of("geo_impossible", "impossible_travel"),
        fPartial.types(user),
        "8 devices at once and 8 new devices raise nothing with those rules off");
  }

  @Test
  void aTrustedNetworkIsNeverLocatedSoItIsNeverFarAway() {
    UUID user = UUID.randomUUID();
    assertNull(
        fPartial.start(user, "laptop", SharingFixture.LONDON).getValue("location"),
        "London is trusted here");
    fPartial.start(user, "tv", SYRACUSE);
    fPartial.assertNoAlerts(user);
  }
}
