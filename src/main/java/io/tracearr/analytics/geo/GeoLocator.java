package io.tracearr.analytics.geo;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.CityResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Turns session IP addresses into {@link Location}s using a GeoIP2/GeoLite2 City database.
 * Thread-safe.
 */
public final class GeoLocator implements AutoCloseable {

  public enum Outcome {
    LOCATED,
    NEVER_LOCATED,
    NOT_FOUND,
    DISABLED,
    INVALID
  }

  /**
   * @param location present exactly when the outcome is {@link Outcome#LOCATED}
   */
  public record Lookup(Outcome outcome, Optional<Location> location) {

    public Lookup {
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(location, "location");
      if (location.isPresent() != (outcome == Outcome.LOCATED)) {
        throw new IllegalArgumentException(outcome + " lookup with location " + location);
      }
    }

    static Lookup located(Location location) {
      return new Lookup(Outcome.LOCATED, Optional.of(location));
    }

    static Lookup of(Outcome outcome) {
      return new Lookup(outcome, Optional.empty());
    }
  }

  private static final Lookup DISABLED = Lookup.of(Outcome.DISABLED);
  private static final Lookup INVALID = Lookup.of(Outcome.INVALID);
  private static final Lookup NEVER_LOCATED = Lookup.of(Outcome.NEVER_LOCATED);
  private static final Lookup NOT_FOUND = Lookup.of(Outcome.NOT_FOUND);

  /** swapped by {@link #reloadIfChanged()}; lookups read it once each */
  private volatile DatabaseReader reader;

  private final NetworkPolicy policy;
  private final Cache<InetAddress, Lookup> cache;
  private final Path file;
  private volatile long fileModified;

  private GeoLocator(
      DatabaseReader reader, NetworkPolicy policy, Cache<InetAddress, Lookup> cache, Path file) {
    this.reader = reader;
    this.policy = policy;
    this.cache = cache;
    this.file = file;
    this.fileModified = modified(file);
  }

  /**
   * @param cacheSize maximum number of addresses whose answer (found or not) is remembered
   * @throws IOException when the file is missing, unreadable, not a MaxMind database or not a City
   *     database
   */
  public static GeoLocator open(Path mmdb, NetworkPolicy policy, int cacheSize) throws IOException {
    Objects.requireNonNull(policy, "policy");
    if (cacheSize < 0) {
      throw new IllegalArgumentException("cacheSize must be >= 0: " + cacheSize);
    }
    DatabaseReader reader = openCity(mmdb);
    Cache<InetAddress, Lookup> cache = Caffeine.newBuilder().maximumSize(cacheSize).build();
    return new GeoLocator(reader, policy, cache, mmdb);
  }

  private static DatabaseReader openCity(Path mmdb) throws IOException {
    DatabaseReader reader =
        new DatabaseReader.Builder(mmdb.toFile()).fileMode(Reader.FileMode.MEMORY_MAPPED).build();
    String type = reader.getMetadata().getDatabaseType();
    // City-level lookups only work on City/Enterprise databases; fail at startup, not per session.
    if (!type.contains("City") && !type.contains("Enterprise")) {
      reader.close();
      throw new IOException(mmdb + " is a " + type + " database, a City database is required");
    }
    return reader;
  }

  /**
   * Blocking (run it on a worker): when the file changed since it was opened (geoipupdate replaced
   * it), the new database is opened and swapped in and the cached answers dropped; no restart
   * needed. A file that cannot be opened leaves the current database in use. The replaced reader is
   * not closed: lookups on other threads may still hold it, and the garbage collector unmaps it
   * once none does (updates come weekly at most).
   *
   * @return true when a new database was swapped in
   */
  public boolean reloadIfChanged() throws IOException {
    if (file == null || reader == null) return false;
    long now = modified(file);
    if (now == fileModified || now == 0) return false;
    DatabaseReader fresh = openCity(file);
    reader = fresh;
    fileModified = now;
    cache.invalidateAll();
    return true;
  }

  private static long modified(Path file) {
    try {
      return file == null ? 0 : java.nio.file.Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** A locator for when no database is configured: every lookup is {@link Outcome#DISABLED}. */
  public static GeoLocator disabled() {
    return new GeoLocator(null, NetworkPolicy.defaults(), null, null);
  }

  public boolean enabled() {
    return reader != null;
  }

  public Optional<Location> locate(String ip) {
    return lookup(ip).location();
  }

  /**
   * @throws UncheckedIOException when the database is corrupt at the record being read
   */
  public Lookup lookup(String ip) {
    if (!enabled()) {
      return DISABLED;
    }
    Optional<InetAddress> parsed = IpAddresses.parseLiteral(ip);
    if (parsed.isEmpty()) {
      return INVALID;
    }
    InetAddress address = IpAddresses.unmap(parsed.get());
    if (policy.neverLocated(address)) {
      return NEVER_LOCATED;
    }
    return cache.get(address, this::queryDatabase);
  }

  private Lookup queryDatabase(InetAddress address) {
    try {
      return reader
          .tryCity(address)
          .flatMap(GeoLocator::toLocation)
          .map(Lookup::located)
          .orElse(NOT_FOUND);
    } catch (IOException e) {
      throw new UncheckedIOException("GeoIP lookup failed for " + address.getHostAddress(), e);
    } catch (GeoIp2Exception e) {
      throw new IllegalStateException("GeoIP lookup failed for " + address.getHostAddress(), e);
    }
  }

  /** A record without coordinates (country-only data) cannot take part in distance checks. */
  private static Optional<Location> toLocation(CityResponse response) {
    com.maxmind.geoip2.record.Location where = response.getLocation();
    if (where == null || where.getLatitude() == null || where.getLongitude() == null) {
      return Optional.empty();
    }
    Integer radius = where.getAccuracyRadius();
    return Optional.of(
        new Location(
            response.getCity() == null ? null : response.getCity().getName(),
            response.getCountry() == null ? null : response.getCountry().getIsoCode(),
            where.getLatitude(),
            where.getLongitude(),
            radius == null ? 0 : radius));
  }

  @Override
  public void close() throws IOException {
    if (reader != null) {
      reader.close();
    }
    if (cache != null) {
      cache.invalidateAll();
    }
  }
}
