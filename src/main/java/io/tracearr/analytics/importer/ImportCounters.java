package io.tracearr.analytics.importer;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a running import has read so far. Written by the reader's worker thread, read by the
 * verticle's event loop once a second for the progress update: single writer, so plain volatile
 * fields and one atomic array suffice.
 */
final class ImportCounters {

  private static final SkipReason[] REASONS = SkipReason.values();

  private volatile long rowsRead;
  private final AtomicLongArray skipped = new AtomicLongArray(REASONS.length);
  private volatile String unit;
  private volatile long done;
  private volatile long total;

  /** A consistent-enough copy for one update of the imports row. */
  record Snapshot(
      long rowsRead,
      long rowsSkipped,
      JsonObject skippedByReason,
      String unit,
      Long done,
      Long total) {}

  void read() {
    rowsRead++;
  }

  void skipped(SkipReason reason) {
    skipped.incrementAndGet(reason.ordinal());
    rowsRead++;
  }

  void position(String unit, long done, long total) {
    this.unit = unit;
    this.done = done;
    this.total = total;
  }

  long rowsRead() {
    return rowsRead;
  }

  Snapshot snapshot() {
    JsonObject reasons = new JsonObject();
    long sum = 0;
    for (SkipReason r : REASONS) {
      long n = skipped.get(r.ordinal());
      if (n > 0) {
        reasons.put(r.key(), n);
        sum += n;
      }
    }
    String u = unit;
    return new Snapshot(
        rowsRead, sum, reasons, u, u == null ? null : done, u == null ? null : total);
  }
}
