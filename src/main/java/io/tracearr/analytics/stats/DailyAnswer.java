package io.tracearr.analytics.stats;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.time.LocalDate;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One {@code stats/daily} answer split at today's row: everything before it (the header and the
 * past days) and everything after it (days after today, all zeros, and the closing brackets) are
 * encoded once, as JSON bytes and, for the head, as raw deflate output ended by a sync flush. A new
 * live row is then spliced in by encoding that one row, deflating it and the tail with the head's
 * last 4 KB as dictionary (so it compresses nearly as if the whole answer were gzipped in one go)
 * and summing the CRC: a year's answer is 61 kB of JSON, re-encoding and re-gzipping it whenever
 * today's figures move cost a few ms per change, the splice costs a few µs. The bytes are the same
 * as a {@link JsonObject} encoding of the whole answer. Immutable, so it can be shared.
 */
public final class DailyAnswer {

  /** an encoded answer; {@code gzipped} is null when the body is sent as it is */
  public record Encoded(Buffer body, Buffer gzipped) {}

  /** below this, answers are sent as they are (gzip's framing would cost more than it saves) */
  static final int GZIP_FROM_BYTES = 1024;

  private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0};

  /**
   * How much of the head the live part's deflater gets as dictionary: a day's row repeats the keys
   * of the rows before it, which a few kB hold; deflate's whole 32 kB window costs more to load
   * (hashing it) than it saves on 200 bytes.
   */
  private static final int DICTIONARY = 4 * 1024;

  /**
   * one deflater per thread for the live parts, reset per splice: a new one allocates and clears
   * zlib's state (a few hundred kB) each time
   */
  private static final ThreadLocal<Deflater> LIVE_DEFLATER =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.DEFAULT_COMPRESSION, true));

  private final Map<LocalDate, DailyStat> past;
  private final LocalDate today;

  /** the whole answer when today is not in its range (nothing to splice) */
  private final Encoded whole;

  private final byte[] head;
  private final byte[] tail;

  /** {@link #head} as raw deflate blocks, not final, byte-aligned (sync flush) */
  private final byte[] headDeflated;

  /**
   * The parts of the answer for [start, end] as seen on {@code today}: {@code past} for the days
   * before today, zeros for the days without a row.
   */
  public DailyAnswer(
      LocalDate start,
      LocalDate end,
      LocalDate today,
      String timezone,
      Map<LocalDate, DailyStat> past) {
    this.past = past;
    this.today = today;
    String header =
        new JsonObject()
            .put("start", start.toString())
            .put("end", end.toString())
            .put("timezone", timezone)
            .encode();
    StringBuilder h = new StringBuilder(header.length() + 200 * 366);
    h.append(header, 0, header.length() - 1).append(",\"items\":[");
    StringBuilder t = new StringBuilder();
    boolean spliced = StatsRepository.within(today, start, end);
    StringBuilder into = h;
    boolean first = true;
    for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(1)) {
      if (d.equals(today)) {
        // today's row goes between the two parts; the separators around it are added by with()
        into = t;
        first = true;
        continue;
      }
      if (!first) into.append(',');
      first = false;
      DailyStat s = d.isBefore(today) ? past.get(d) : null;
      into.append((s == null ? DailyStat.zero(d) : s).toJson().encode());
    }
    t.append("]}");
    if (!spliced) {
      Buffer body = Buffer.buffer(h.append(t).toString());
      this.whole = new Encoded(body, gzip(body));
      this.head = this.tail = this.headDeflated = null;
      return;
    }
    this.whole = null;
    this.head = h.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    this.tail = t.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    try {
      deflater.setInput(head);
      this.headDeflated = drain(deflater, Deflater.SYNC_FLUSH, head.length / 4 + 64);
    } finally {
      deflater.end();
    }
  }

  /** the past days this answer was made of (compared by value when the past version moves) */
  public Map<LocalDate, DailyStat> past() {
    return past;
  }

  public LocalDate today() {
    return today;
  }

  /** The whole answer with {@code live} as today's row (ignored when today is not in range). */
  public Encoded with(DailyStat live) {
    if (whole != null) return whole;
    DailyStat row = live == null ? DailyStat.zero(today) : live;
    boolean separator = head[head.length - 1] != '[';
    byte[] rowBytes = row.toJson().toBuffer().getBytes();
    // "," between the past days and today, "," between today and the next day (in the tail)
    byte[] middle = new byte[(separator ? 1 : 0) + rowBytes.length];
    if (separator) middle[0] = ',';
    System.arraycopy(rowBytes, 0, middle, separator ? 1 : 0, rowBytes.length);
    byte[] rest = tailAfter(middle);
    Buffer body = Buffer.buffer(head.length + rest.length).appendBytes(head).appendBytes(rest);
    if (body.length() < GZIP_FROM_BYTES) return new Encoded(body, null);
    Deflater deflater = LIVE_DEFLATER.get();
    deflater.reset();
    byte[] restDeflated;
    {
      // the head's last bytes as dictionary: the live part refers back to the rows before it
      int window = Math.min(DICTIONARY, head.length);
      deflater.setDictionary(head, head.length - window, window);
      deflater.setInput(rest);
      deflater.finish();
      restDeflated = drain(deflater, Deflater.NO_FLUSH, rest.length / 2 + 64);
    }
    CRC32 crc = new CRC32();
    crc.update(head);
    crc.update(rest);
    Buffer gz =
        Buffer.buffer(GZIP_HEADER.length + headDeflated.length + restDeflated.length + 8)
            .appendBytes(GZIP_HEADER)
            .appendBytes(headDeflated)
            .appendBytes(restDeflated)
            .appendIntLE((int) crc.getValue())
            .appendIntLE(body.length());
    return new Encoded(body, gz);
  }

  private byte[] tailAfter(byte[] middle) {
    boolean more = tail.length > 2; // days after today: the tail starts with their first row
    byte[] out = new byte[middle.length + (more ? 1 : 0) + tail.length];
    System.arraycopy(middle, 0, out, 0, middle.length);
    if (more) out[middle.length] = ',';
    System.arraycopy(tail, 0, out, middle.length + (more ? 1 : 0), tail.length);
    return out;
  }

  /**
   * Runs the deflater until it has written everything: until finished for finish()-ed input, until
   * a call leaves room in the buffer for a sync flush (zlib's sign that the flush is complete).
   */
  private static byte[] drain(Deflater deflater, int flush, int guess) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(guess);
    byte[] buf = new byte[8192];
    while (true) {
      int n = deflater.deflate(buf, 0, buf.length, flush);
      out.write(buf, 0, n);
      if (deflater.finished() || (flush == Deflater.SYNC_FLUSH && n < buf.length)) break;
    }
    return out.toByteArray();
  }

  /** A body gzipped in one go, or null for small bodies (sent as they are). */
  public static Buffer gzip(Buffer body) {
    if (body.length() < GZIP_FROM_BYTES) return null;
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length() / 4);
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(body.getBytes());
    } catch (java.io.IOException impossible) {
      return null;
    }
    return Buffer.buffer(out.toByteArray());
  }
}
