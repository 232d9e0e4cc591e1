package io.tracearr.analytics.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IpAddressesTest {

  static Stream<Arguments> validLiterals() {
    return Stream.of(
        Arguments.of("dotted quad", "81.2.69.142", "81.2.69.142", Inet4Address.class),
        Arguments.of("all zeros IPv4", "0.0.0.0", "0.0.0.0", Inet4Address.class),
        Arguments.of("broadcast IPv4", "255.255.255.255", "255.255.255.255", Inet4Address.class),
        Arguments.of("IPv6 loopback", "::1", "0:0:0:0:0:0:0:1", Inet6Address.class),
        Arguments.of("IPv6 unspecified", "::", "0:0:0:0:0:0:0:0", Inet6Address.class),
        Arguments.of("compressed IPv6", "2a01:e0a::1", "2a01:e0a:0:0:0:0:0:1", Inet6Address.class),
        Arguments.of(
            "full IPv6 with leading zeros in groups",
            "2001:0db8:0000:0000:0000:0000:0000:0001",
            "2001:db8:0:0:0:0:0:1",
            Inet6Address.class),
        Arguments.of(
            "upper-case IPv6", "2A01:E0A::FF", "2a01:e0a:0:0:0:0:0:ff", Inet6Address.class),
        Arguments.of(
            "IPv4-mapped IPv6 becomes IPv4", "::ffff:90.80.10.7", "90.80.10.7", Inet4Address.class),
        Arguments.of(
            "upper-case IPv4-mapped IPv6",
            "::FFFF:192.168.1.1",
            "192.168.1.1",
            Inet4Address.class));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("validLiterals")
  void acceptsLiteral(
      String why, String text, String hostAddress, Class<? extends InetAddress> type) {
    InetAddress address = IpAddresses.parseLiteral(text).orElseThrow();
    assertInstanceOf(type, address);
    assertEquals(hostAddress, address.getHostAddress());
  }

  static Stream<Arguments> invalidLiterals() {
    return Stream.of(
        Arguments.of("null", null),
        Arguments.of("empty", ""),
        Arguments.of("blank", "   "),
        Arguments.of("hostname", "localhost"),
        Arguments.of("domain name", "example.com"),
        Arguments.of("three octets", "1.2.3"),
        Arguments.of("five octets", "1.2.3.4.5"),
        Arguments.of("octet above 255", "256.1.1.1"),
        Arguments.of("negative octet", "1.2.3.-4"),
        Arguments.of("hex octet", "0x1.2.3.4"),
        Arguments.of("octal-looking octet", "010.1.1.1"),
        Arguments.of("surrounding whitespace", " 1.2.3.4 "),
        Arguments.of("CIDR, not an address", "10.0.0.0/8"),
        Arguments.of("two :: in IPv6", "1::2::3"),
        Arguments.of("nine IPv6 groups", "1:2:3:4:5:6:7:8:9"),
        Arguments.of("IPv6 group too long", "12345::1"),
        Arguments.of("bracketed IPv6", "[::1]"),
        Arguments.of("IPv6 with zone id", "fe80::1%eth0"),
        Arguments.of("truncated mapped IPv4", "::ffff:1.2.3"),
        Arguments.of("host and port", "1.2.3.4:8080"));
  }

  @ParameterizedTest(name = "{0}: [{1}]")
  @MethodSource("invalidLiterals")
  void rejectsNonLiteral(String why, String text) {
    assertEquals(Optional.empty(), IpAddresses.parseLiteral(text));
  }

  @Test
  void unmapTurnsAnInet6MappedAddressIntoItsIpv4Address() throws Exception {
    byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
    InetAddress inet6 = Inet6Address.getByAddress(null, mapped, -1);
    assertInstanceOf(Inet6Address.class, inet6, "precondition: JDK keeps this one as IPv6");

    InetAddress unmapped = IpAddresses.unmap(inet6);

    assertInstanceOf(Inet4Address.class, unmapped);
    assertEquals("10.0.0.1", unmapped.getHostAddress());
  }

  @Test
  void unmapLeavesOtherAddressesAlone() {
    InetAddress v6 = IpAddresses.parseLiteral("2a01:e0a::1").orElseThrow();
    InetAddress v4 = IpAddresses.parseLiteral("90.80.10.7").orElseThrow();
    assertSame(v6, IpAddresses.unmap(v6));
    assertSame(v4, IpAddresses.unmap(v4));
    assertTrue(IpAddresses.parseLiteral("::ffff:90.80.10.7").orElseThrow().equals(v4));
  }
}
