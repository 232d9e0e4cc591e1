package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookSignatureTest {

  static final String SECRET = "whsec-0123456789abcdef";
  static final byte[] BODY =
      "{\"event\":\"test\",\"delivery_id\":\"d-1\",\"occurred_at\":\"2026-01-02T03:00:00Z\",\"data\":{}}"
          .getBytes(StandardCharsets.UTF_8);
  static final long TS = 1_767_322_800L;

  /** Computed here from the definition, not through the class under test. */
  static String independent(String secret, String signedPayload) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] raw = mac.doFinal(signedPayload.getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder();
    for (byte b : raw) hex.append(String.format("%02x", b));
    return "sha256=" + hex;
  }

  @Test
  void matchesAnIndependentlyComputedHmac() throws Exception {
    String expected = independent(SECRET, TS + "." + new String(BODY, StandardCharsets.UTF_8));
    assertEquals(expected, WebhookSignature.sign(SECRET, TS, BODY));
  }

  @Test
  void matchesAValueComputedOutsideJava() {
    // printf '0.what do ya want for nothing?' | openssl dgst -sha256 -hmac Jefe   (RFC 4231 case
    // 2's key and data)
    assertEquals(
        "sha256=37f471929915ccd2cbbe79feb84ffcff4f2bb25e15fc41c2506687331ae179cc",
        WebhookSignature.sign(
            "Jefe", 0, "what do ya want for nothing?".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void verifyAcceptsFreshAuthenticAndRejectsTheRest() {
    Instant now = Instant.ofEpochSecond(TS + 10);
    String sig = WebhookSignature.sign(SECRET, TS, BODY);
    Duration tol = WebhookSignature.DEFAULT_TOLERANCE;
    assertTrue(WebhookSignature.verify(SECRET, Long.toString(TS), BODY, sig, now, tol));
    assertFalse(
        WebhookSignature.verify("other-secret-other", Long.toString(TS), BODY, sig, now, tol),
        "wrong secret");
    byte[] tampered = BODY.clone();
    tampered[3] ^= 1;
    assertFalse(
        WebhookSignature.verify(SECRET, Long.toString(TS), tampered, sig, now, tol),
        "body changed");
    assertFalse(
        WebhookSignature.verify(SECRET, Long.toString(TS + 1), BODY, sig, now, tol),
        "timestamp changed");
    assertFalse(
        WebhookSignature.verify(
            SECRET, Long.toString(TS), BODY, sig, Instant.ofEpochSecond(TS + 301), tol),
        "stale");
    assertFalse(
        WebhookSignature.verify(SECRET, "yesterday", BODY, sig, now, tol), "malformed timestamp");
    assertFalse(
        WebhookSignature.verify(SECRET, Long.toString(TS), BODY, "sha256=zz", now, tol),
        "malformed signature");
    assertFalse(
        WebhookSignature.verify(SECRET, Long.toString(TS), BODY, sig.substring(7), now, tol),
        "missing prefix");
  }
}
