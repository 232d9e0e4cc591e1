package io.tracearr.analytics.gateway.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 19 F7: frames that break RFC 6455 were accepted or dropped without a close code. Over a
 * plain socket (a real client library refuses to send them), each gets the close code RFC 6455
 * §7.4.1 names: 1009 for a frame or message over the limit, 1007 for a text message that is not
 * UTF-8, 1002 for a reserved opcode or RSV bit.
 */
class WebSocketFrameRulesTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  static Stream<Arguments> cases() {
    byte[] big = new byte[70_000];
    Arrays.fill(big, (byte) 'a');
    byte[] half = new byte[40_000];
    Arrays.fill(half, (byte) 'a');
    return Stream.of("/api/v1/ingest", "/api/v1/live")
        .flatMap(
            path ->
                Stream.of(
                    Arguments.of(path, "frame over 64 KiB", frame(0x81, big), 1009),
                    Arguments.of(
                        path,
                        "message over 64 KiB in two fragments",
                        concat(frame(0x01, half), frame(0x80, half)),
                        1009),
                    Arguments.of(
                        path,
                        "text that is not UTF-8",
                        frame(0x81, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}),
                        1007),
                    Arguments.of(
                        path,
                        "text with a lone surrogate encoded",
                        frame(0x81, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                        1007),
                    Arguments.of(
                        path,
                        "reserved data opcode 0x3",
                        frame(0x83, "{}".getBytes(StandardCharsets.UTF_8)),
                        1002),
                    Arguments.of(
                        path, "reserved control opcode 0xB", frame(0x8B, new byte[0]), 1002),
                    Arguments.of(
                        path,
                        "RSV1 set without an extension",
                        frame(0xC1, "{}".getBytes(StandardCharsets.UTF_8)),
                        1002),
                    Arguments.of(
                        path,
                        "RSV3 set",
                        frame(0x91, "{}".getBytes(StandardCharsets.UTF_8)),
                        1002)));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("cases")
  void closedWithTheRightCode(String path, String name, byte[] frames, int code)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", node.port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                  + "Authorization: Bearer "
                  + TestNode.ADMIN_KEY
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      try {
        out.write(frames);
        out.flush();
      } catch (IOException closedWhileWriting) {
        // the server may close before it read the whole oversized frame; its close frame is already
        // on the way
      }
      assertEquals(code, closeCode(new DataInputStream(in)), name);
    }
  }

  /** A masked client frame (RFC 6455 §5.2) with the given first byte. */
  static byte[] frame(int first, byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(first);
    int n = payload.length;
    if (n < 126) {
      b.write(0x80 | n);
    } else if (n <= 0xFFFF) {
      b.write(0x80 | 126);
      b.write(n >> 8);
      b.write(n);
    } else {
      b.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) b.write((int) ((long) n >> (8 * i)));
    }
    byte[] mask = {0x11, 0x22, 0x33, 0x44};
    b.writeBytes(mask);
    for (int i = 0; i < n; i++) b.write(payload[i] ^ mask[i & 3]);
    return b.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) break;
      sb.append((char) c);
    }
    return sb.toString();
  }

  /**
   * The status code of the first close frame the server sends (server frames are unmasked); -1 if
   * none came.
   */
  static int closeCode(DataInputStream in) throws IOException {
    try {
      while (true) {
        int first = in.readUnsignedByte();
        int len = in.readUnsignedByte() & 0x7F;
        long n = len == 126 ? in.readUnsignedShort() : len == 127 ? in.readLong() : len;
        byte[] payload = new byte[(int) n];
        in.readFully(payload);
        if ((first & 0x0F) == 0x8)
          return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
      }
    } catch (EOFException | SocketTimeoutException | java.net.SocketException e) {
      return -1;
    }
  }
}
