package io.tracearr.analytics.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A dashboard that stops reading: a raw TCP client that completes the WebSocket handshake on {@code
 * /api/v1/live}, then never reads again.
 */
public final class StalledDashboard {

  private StalledDashboard() {}

  /** Connects as a viewer; the caller closes the socket. */
  public static Socket open(TestNode node) throws Exception {
    Socket s = new Socket();
    s.setReceiveBufferSize(4096);
    s.connect(new InetSocketAddress("127.0.0.1", node.port()), 5000);
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    out.write(
        ("GET /api/v1/live?access_token="
                + TestNode.VIEWER_KEY
                + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:"
                + node.port()
                + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) throw new AssertionError("connection closed during the handshake: " + head);
      head.write(b);
    }
    assertTrue(
        head.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"), head.toString());
    return s;
  }
}
