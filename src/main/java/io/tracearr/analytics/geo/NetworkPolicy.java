package io.tracearr.analytics.geo;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;

/**
 * Decides which addresses must never be geolocated: a private, local or special-purpose address
 * says nothing about where the viewer is, and neither does a network the operator trusts (e.g. a
 * VPN exit or the household's own range).
 */
public final class NetworkPolicy {

  private static final List<Cidr> NON_ROUTABLE =
      Stream.of(
              "0.0.0.0/8", // "this network", includes the unspecified 0.0.0.0
              "10.0.0.0/8", // private
              "100.64.0.0/10", // carrier-grade NAT
              "127.0.0.0/8", // loopback
              "169.254.0.0/16", // link-local
              "172.16.0.0/12", // private
              "192.168.0.0/16", // private
              "224.0.0.0/4", // multicast
              "255.255.255.255/32", // limited broadcast
              "::/128", // unspecified
              "::1/128", // loopback
              "fc00::/7", // unique local
              "fe80::/10", // link-local
              "ff00::/8") // multicast
          .map(Cidr::parse)
          .toList();

  private final List<Cidr> trusted;

  /**
   * @throws IllegalArgumentException when a trusted entry is not a valid CIDR
   */
  public NetworkPolicy(List<String> trustedCidrs) {
    this.trusted = trustedCidrs.stream().map(Cidr::parse).toList();
  }

  public static NetworkPolicy defaults() {
    return new NetworkPolicy(List.of());
  }

  public boolean neverLocated(InetAddress address) {
    InetAddress unmapped = IpAddresses.unmap(address);
    return matchesAny(NON_ROUTABLE, unmapped) || matchesAny(trusted, unmapped);
  }

  public List<Cidr> trustedCidrs() {
    return trusted;
  }

  private static boolean matchesAny(List<Cidr> networks, InetAddress address) {
    for (Cidr network : networks) {
      if (network.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
