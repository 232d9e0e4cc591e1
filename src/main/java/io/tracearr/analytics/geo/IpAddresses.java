package io.tracearr.analytics.geo;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/** Validates IP address literals without ever touching DNS. */
public final class IpAddresses {

  private IpAddresses() {}

  /**
   * Parses an IPv4 dotted quad or an IPv6 literal (full, compressed or with an embedded IPv4 such
   * as {@code ::ffff:1.2.3.4}). Hostnames, brackets, zone ids, prefixes, surrounding whitespace and
   * IPv4 octets with leading zeros are rejected.
   *
   * <p>IPv4-mapped IPv6 literals come back as {@link java.net.Inet4Address}.
   */
  public static Optional<InetAddress> parseLiteral(String text) {
    if (text == null
        || text.isEmpty()
        || text.indexOf('%') >= 0
        || text.indexOf('[') >= 0
        || hasOctetWithLeadingZero(text)) {
      return Optional.empty();
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      return Optional.empty();
    }
    try {
      // Passing the literal as the host name also stops getHostName() from reverse-resolving.
      return Optional.of(InetAddress.getByAddress(text, bytes));
    } catch (UnknownHostException e) {
      return Optional.empty(); // only thrown for a wrong array length
    }
  }

  /**
   * Returns the IPv4 address embedded in an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}),
   * otherwise the address itself. {@link InetAddress#getByAddress(byte[])} already unmaps, but
   * {@link Inet6Address#getByAddress(String, byte[], int)} does not.
   */
  public static InetAddress unmap(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] bytes = address.getAddress();
    if (!isIpv4Mapped(bytes)) {
      return address;
    }
    try {
      return InetAddress.getByAddress(address.getHostAddress(), Arrays.copyOfRange(bytes, 12, 16));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always a valid IPv4 address", e);
    }
  }

  /** True for the 16 bytes of {@code ::ffff:0:0/96}. */
  static boolean isIpv4Mapped(byte[] bytes) {
    if (bytes.length != 16) {
      return false;
    }
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }

  /** Leading zeros are read as octal by some parsers (010 = 8), so such input is ambiguous. */
  private static boolean hasOctetWithLeadingZero(String text) {
    if (text.indexOf('.') < 0) {
      return false;
    }
    String dotted = text.substring(text.lastIndexOf(':') + 1);
    for (String octet : dotted.split("\\.", -1)) {
      if (octet.length() > 1 && octet.charAt(0) == '0') {
        return true;
      }
    }
    return false;
  }
}
