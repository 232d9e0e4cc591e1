package io.tracearr.analytics.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class NetworkPolicyTest {

  private final NetworkPolicy policy =
      new NetworkPolicy(List.of("90.80.10.0/28", "2a01:e0a:1::/48"));

  static Stream<Arguments> addresses() {
    return Stream.of(
        Arguments.of("private 10/8", "10.1.2.3", true),
        Arguments.of("private 172.16/12", "172.20.0.5", true),
        Arguments.of("just outside 172.16/12", "172.32.0.5", false),
        Arguments.of("private 192.168/16", "192.168.1.1", true),
        Arguments.of("loopback 127/8", "127.0.0.53", true),
        Arguments.of("link-local 169.254/16", "169.254.10.10", true),
        Arguments.of("CGNAT 100.64/10", "100.64.0.1", true),
        Arguments.of("just outside CGNAT", "100.128.0.1", false),
        Arguments.of("unspecified IPv4", "0.0.0.0", true),
        Arguments.of("IPv4 multicast", "239.255.255.250", true),
        Arguments.of("IPv4 broadcast", "255.255.255.255", true),
        Arguments.of("IPv6 loopback", "::1", true),
        Arguments.of("IPv6 unspecified", "::", true),
        Arguments.of("IPv6 link-local", "fe80::1", true),
        Arguments.of("IPv6 ULA fd00::", "fd00::1", true),
        Arguments.of("IPv6 ULA fc00::", "fc00::1", true),
        Arguments.of("IPv6 multicast", "ff02::1", true),
        Arguments.of("mapped private 10/8", "::ffff:10.0.0.1", true),
        Arguments.of("mapped private 192.168/16", "::ffff:192.168.1.1", true),
        Arguments.of("mapped public IPv4", "::ffff:90.80.10.200", false),
        Arguments.of("public IPv4", "81.2.69.142", false),
        Arguments.of("public IPv6", "2a01:e0a::1", false),
        Arguments.of("trusted IPv4 range", "90.80.10.3", true),
        Arguments.of("just outside trusted IPv4 range", "90.80.10.16", false),
        Arguments.of("trusted range via mapped literal", "::ffff:90.80.10.3", true),
        Arguments.of("trusted IPv6 range", "2a01:e0a:1:ffff::1", true));
  }

  @ParameterizedTest(name = "{0}: {1} -> {2}")
  @MethodSource("addresses")
  void neverLocated(String why, String ip, boolean expected) {
    assertEquals(expected, policy.neverLocated(IpAddresses.parseLiteral(ip).orElseThrow()));
  }

  @Test
  void judgesInet6MappedAddressByItsIpv4Address() throws Exception {
    byte[] mapped = {
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 192, (byte) 168, 1, 1
    };
    InetAddress inet6 = Inet6Address.getByAddress(null, mapped, -1);
    assertTrue(inet6 instanceof Inet6Address, "precondition: JDK keeps this one as IPv6");
    assertTrue(NetworkPolicy.defaults().neverLocated(inet6));
  }

  @Test
  void rejectsInvalidTrustedCidr() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new NetworkPolicy(List.of("10.0.0.0/8", "vpn.example.com/32")));
    assertTrue(e.getMessage().contains("vpn.example.com"), e.getMessage());
  }
}
