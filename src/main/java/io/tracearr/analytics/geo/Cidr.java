package io.tracearr.analytics.geo;

import java.net.InetAddress;
import java.util.Arrays;

/** An IPv4 or IPv6 network such as {@code 10.0.0.0/8} or {@code fc00::/7}. */
public final class Cidr {

  private final byte[] network;
  private final int prefixLength;
  private final String text;

  private Cidr(byte[] network, int prefixLength, String text) {
    this.network = network;
    this.prefixLength = prefixLength;
    this.text = text;
  }

  /**
   * Parses {@code address/prefix}; a bare address means a single host. Host bits beyond the prefix
   * are ignored ({@code 10.1.2.3/8} is {@code 10.0.0.0/8}).
   *
   * @throws IllegalArgumentException when the text is not a valid CIDR literal
   */
  public static Cidr parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("CIDR must not be null");
    }
    String trimmed = text.strip();
    int slash = trimmed.indexOf('/');
    String addressPart = slash < 0 ? trimmed : trimmed.substring(0, slash);
    InetAddress address =
        IpAddresses.parseLiteral(addressPart)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "invalid CIDR '"
                            + text
                            + "': '"
                            + addressPart
                            + "' is not an IP address literal"));
    byte[] bytes =
        addressPart.indexOf(':') >= 0 ? toSixteenBytes(address.getAddress()) : address.getAddress();
    int maxPrefix = bytes.length * 8;
    int prefix = slash < 0 ? maxPrefix : parsePrefix(text, trimmed.substring(slash + 1), maxPrefix);
    if (bytes.length == 16 && prefix >= 96 && IpAddresses.isIpv4Mapped(bytes)) {
      // Addresses are compared unmapped (see IpAddresses.unmap), so store such a network as IPv4.
      return new Cidr(mask(Arrays.copyOfRange(bytes, 12, 16), prefix - 96), prefix - 96, trimmed);
    }
    return new Cidr(mask(bytes, prefix), prefix, trimmed);
  }

  /** IPv4-mapped IPv6 addresses are judged by their IPv4 address. */
  public boolean contains(InetAddress address) {
    byte[] candidate = IpAddresses.unmap(address).getAddress();
    if (candidate.length != network.length) {
      return false;
    }
    return Arrays.equals(mask(candidate, prefixLength), network);
  }

  public int prefixLength() {
    return prefixLength;
  }

  public boolean isIpv4() {
    return network.length == 4;
  }

  private static int parsePrefix(String original, String prefixText, int maxPrefix) {
    if (prefixText.isEmpty()
        || prefixText.length() > 3
        || !prefixText.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(
          "invalid CIDR '" + original + "': prefix length '" + prefixText + "' is not a number");
    }
    int prefix = Integer.parseInt(prefixText);
    if (prefix > maxPrefix) {
      throw new IllegalArgumentException(
          "invalid CIDR '" + original + "': prefix length " + prefix + " exceeds " + maxPrefix);
    }
    return prefix;
  }

  /**
   * Literals like {@code ::ffff:1.2.3.4} parse to 4 bytes; IPv6 notation needs IPv6 prefix lengths.
   */
  private static byte[] toSixteenBytes(byte[] bytes) {
    if (bytes.length == 16) {
      return bytes;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(bytes, 0, mapped, 12, 4);
    return mapped;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] masked = bytes.clone();
    for (int i = 0; i < masked.length; i++) {
      int bitsInThisByte = Math.max(0, Math.min(8, prefix - i * 8));
      masked[i] &= (byte) (0xff << (8 - bitsInThisByte));
    }
    return masked;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr other
        && prefixLength == other.prefixLength
        && Arrays.equals(network, other.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public String toString() {
    return text;
  }
}
