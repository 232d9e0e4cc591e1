package io.tracearr.analytics.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature on our own webhook: {@code X-Analytics-Signature: sha256=<hex HMAC-SHA256(secret,
 * timestamp + "." + body)>} with {@code X-Analytics-Timestamp} in unix seconds. The timestamp is
 * inside the MAC so a captured request cannot be replayed later with a fresh timestamp; receivers
 * reject stale ones ({@link #verify}).
 *
 * <p>A receiver verifies in a few lines (any language): read the raw body bytes before parsing,
 * compute {@code HMAC-SHA256(secret, timestamp + "." + body)} as lower-case hex, compare it in
 * constant time with the header after {@code sha256=}, and refuse timestamps more than five minutes
 * from its clock.
 */
public final class WebhookSignature {

  public static final String EVENT = "X-Analytics-Event";
  public static final String DELIVERY = "X-Analytics-Delivery";
  public static final String TIMESTAMP = "X-Analytics-Timestamp";
  public static final String SIGNATURE = "X-Analytics-Signature";
  public static final String PREFIX = "sha256=";
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private WebhookSignature() {}

  /** {@code sha256=<hex>} for this timestamp and these exact body bytes. */
  public static String sign(String secret, long unixSeconds, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(mac(secret, unixSeconds, body));
  }

  /**
   * Whether a received request is authentic and fresh: the signature matches the body and
   * timestamp, and the timestamp is within {@code tolerance} of {@code now}. Any malformed header
   * is simply "no".
   */
  public static boolean verify(
      String secret,
      String timestampHeader,
      byte[] body,
      String signatureHeader,
      Instant now,
      Duration tolerance) {
    if (secret == null
        || timestampHeader == null
        || signatureHeader == null
        || !signatureHeader.startsWith(PREFIX)) {
      return false;
    }
    long ts;
    byte[] given;
    try {
      ts = Long.parseLong(timestampHeader.trim());
      given = HexFormat.of().parseHex(signatureHeader.substring(PREFIX.length()).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (Math.abs(now.getEpochSecond() - ts) > tolerance.toSeconds()) return false;
    // constant-time: a byte-by-byte early exit would leak how much of a forged signature was right
    return MessageDigest.isEqual(mac(secret, ts, body), given);
  }

  private static byte[] mac(String secret, long unixSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
  }
}
