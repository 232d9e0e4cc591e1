package io.tracearr.analytics.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** {@code postgresql://user:pass@host:port/db}, the form operators know from libpq. */
public record DatabaseUrl(String host, int port, String database, String user, String password) {

  public static DatabaseUrl parse(String key, String text) {
    String allowed = "postgresql://user:pass@host:port/db";
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (Exception e) {
      throw new ConfigException(key, "<redacted url>", allowed);
    }
    String scheme = uri.getScheme();
    if (!"postgresql".equals(scheme) && !"postgres".equals(scheme)) {
      throw new ConfigException(key, "<url with scheme " + scheme + ">", allowed);
    }
    String host = uri.getHost();
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (host == null || host.isBlank() || path.isBlank()) {
      throw new ConfigException(key, "<url without host or database>", allowed);
    }
    int port = uri.getPort() == -1 ? 5432 : uri.getPort();
    String user = "postgres";
    String password = "";
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      user = decode(parts[0]);
      password = parts.length > 1 ? decode(parts[1]) : "";
    }
    return new DatabaseUrl(host, port, path, user, password);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
