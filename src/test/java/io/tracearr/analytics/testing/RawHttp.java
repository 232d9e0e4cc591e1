package io.tracearr.analytics.testing;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 written byte for byte over a plain socket: for requests no well-behaved client sends
 * (bad percent-encoding, odd versions, half-sent requests). One request per connection ({@code
 * Connection: close}).
 */
public final class RawHttp {

  /** A parsed answer; {@code status} is -1 when the server closed without answering. */
  public record Reply(int status, Map<String, String> headers, String body) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private RawHttp() {}

  /**
   * {@code head} is the request line and headers without the final blank line; the body follows it.
   */
  public static Reply exchange(int port, String head, byte[] body) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      String h = head.endsWith("\r\n") ? head : head + "\r\n";
      if (!h.toLowerCase(Locale.ROOT).contains("\r\nconnection:")) h += "Connection: close\r\n";
      out.write((h + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) out.write(body);
      out.flush();
      return parse(readAll(s.getInputStream()));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Reply exchange(int port, String head) {
    return exchange(port, head, null);
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    try {
      for (int n; (n = in.read(chunk)) >= 0; ) buf.write(chunk, 0, n);
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // what arrived is the answer
    }
    return buf.toByteArray();
  }

  static Reply parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/") || end < 0) return new Reply(-1, Map.of(), text);
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      if (c > 0)
        headers.put(
            lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(c + 1).trim());
    }
    String body = text.substring(end + 4);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) body = unchunk(body);
    return new Reply(status, headers, body);
  }

  private static String unchunk(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int nl = s.indexOf("\r\n", i);
      if (nl < 0) break;
      int size = Integer.parseInt(s.substring(i, nl).split(";")[0].trim(), 16);
      if (size == 0) break;
      out.append(s, nl + 2, nl + 2 + size);
      i = nl + 2 + size + 2;
    }
    return out.toString();
  }
}
