package io.tracearr.analytics.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CidrTest {

  static Stream<Arguments> membership() {
    return Stream.of(
        Arguments.of("10/8 contains its first address", "10.0.0.0/8", "10.0.0.0", true),
        Arguments.of("10/8 contains its last address", "10.0.0.0/8", "10.255.255.255", true),
        Arguments.of("10/8 excludes 11.0.0.0", "10.0.0.0/8", "11.0.0.0", false),
        Arguments.of("172.16/12 contains 172.31.x", "172.16.0.0/12", "172.31.255.1", true),
        Arguments.of("172.16/12 excludes 172.32.x", "172.16.0.0/12", "172.32.0.1", false),
        Arguments.of("100.64/10 contains 100.127.x", "100.64.0.0/10", "100.127.1.1", true),
        Arguments.of("100.64/10 excludes 100.128.x", "100.64.0.0/10", "100.128.0.1", false),
        Arguments.of("/0 contains every IPv4 address", "0.0.0.0/0", "203.2.218.9", true),
        Arguments.of("/32 is a single host", "81.2.69.142/32", "81.2.69.142", true),
        Arguments.of("/32 excludes its neighbour", "81.2.69.142/32", "81.2.69.143", false),
        Arguments.of("bare address is a single host", "81.2.69.142", "81.2.69.142", true),
        Arguments.of("host bits are ignored", "10.1.2.3/8", "10.200.0.1", true),
        Arguments.of("fc00::/7 contains fd00::", "fc00::/7", "fd12:3456::1", true),
        Arguments.of("fc00::/7 excludes fe00::", "fc00::/7", "fe00::1", false),
        Arguments.of("fe80::/10 contains febf::", "fe80::/10", "febf::1", true),
        Arguments.of("::1/128 contains ::1 only", "::1/128", "::2", false),
        Arguments.of("IPv4 network never contains IPv6", "0.0.0.0/0", "2a01:e0a::1", false),
        Arguments.of("IPv6 network never contains IPv4", "::/0", "90.80.10.7", false),
        Arguments.of("IPv4 network contains mapped literal", "10.0.0.0/8", "::ffff:10.0.0.1", true),
        Arguments.of("mapped network is an IPv4 network", "::ffff:10.0.0.0/104", "10.9.9.9", true),
        Arguments.of("mapped network excludes outside", "::ffff:10.0.0.0/104", "11.0.0.1", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("membership")
  void contains(String why, String cidr, String ip, boolean expected) {
    assertEquals(expected, Cidr.parse(cidr).contains(IpAddresses.parseLiteral(ip).orElseThrow()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("membership")
  void containsInet6FormOfMappedAddressesToo(String why, String cidr, String ip, boolean expected)
      throws Exception {
    InetAddress address = IpAddresses.parseLiteral(ip).orElseThrow();
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      address = Inet6Address.getByAddress(null, mapped, -1);
    }
    assertEquals(expected, Cidr.parse(cidr).contains(address));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("hostname", "example.com/24", "not an IP address literal"),
        Arguments.of("empty", "", "not an IP address literal"),
        Arguments.of("three octets", "10.0.0/8", "not an IP address literal"),
        Arguments.of("missing prefix", "10.0.0.0/", "is not a number"),
        Arguments.of("negative prefix", "10.0.0.0/-1", "is not a number"),
        Arguments.of("non-numeric prefix", "10.0.0.0/abc", "is not a number"),
        Arguments.of("IPv4 prefix above 32", "10.0.0.0/33", "exceeds 32"),
        Arguments.of("IPv6 prefix above 128", "fc00::/129", "exceeds 128"),
        Arguments.of("two slashes", "10.0.0.0/8/8", "is not a number"));
  }

  @ParameterizedTest(name = "{0}: [{1}]")
  @MethodSource("invalid")
  void rejectsInvalidTextWithAClearMessage(String why, String text, String messagePart) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
    assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
  }
}
