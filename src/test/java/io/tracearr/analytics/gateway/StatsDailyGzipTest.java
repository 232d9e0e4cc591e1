package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18, scenario 6: a year of daily stats is gzipped once when encoded and sent as those bytes
 * to clients that accept gzip; others get the same answer as plain JSON.
 */
class StatsDailyGzipTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single(new JsonObject());
  static final TestNode node = nodes.node();

  private static HttpResponse<Buffer> daily(String acceptEncoding) {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    var req =
        node.client()
            .get(
                node.port(),
                "127.0.0.1",
                "/api/v1/analytics/stats/daily?start=" + today.minusDays(364) + "&end=" + today)
            .bearerTokenAuthentication(TestNode.VIEWER_KEY);
    if (acceptEncoding != null) req.putHeader("Accept-Encoding", acceptEncoding);
    return TestNode.await(req.send());
  }

  @Test
  void aYearOfDaysIsSentGzippedToClientsThatAcceptIt() throws Exception {
    HttpResponse<Buffer> plain = daily(null);
    assertEquals(200, plain.statusCode());
    assertNull(plain.getHeader("Content-Encoding"));
    assertEquals(365, plain.bodyAsJsonObject().getJsonArray("items").size());

    HttpResponse<Buffer> zipped = daily("br, gzip;q=0.8");
    assertEquals(200, zipped.statusCode());
    assertEquals("gzip", zipped.getHeader("Content-Encoding"));
    assertEquals("Accept-Encoding", zipped.getHeader("Vary"));
    byte[] raw = zipped.body().getBytes();
    assertTrue(raw.length < plain.body().length() / 4, "gzipped " + raw.length + " bytes");
    String inflated;
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      inflated = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(plain.bodyAsJsonObject(), new JsonObject(inflated));

    assertNull(daily("gzip;q=0, identity").getHeader("Content-Encoding"));
  }

  @Test
  void acceptEncodingIsReadAsRfc9110Says() {
    assertTrue(StatsRoutes.acceptsGzip("gzip"));
    assertTrue(StatsRoutes.acceptsGzip("deflate, GZIP;q=0.5"));
    assertTrue(StatsRoutes.acceptsGzip("*"));
    assertFalse(StatsRoutes.acceptsGzip("gzip;q=0"));
    assertFalse(StatsRoutes.acceptsGzip("gzip; q=0.000, *"));
    assertFalse(StatsRoutes.acceptsGzip("identity"));
    assertFalse(StatsRoutes.acceptsGzip(null));
  }
}
