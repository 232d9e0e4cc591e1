package io.tracearr.analytics.importer;

/**
 * Where a reader sends what it reads, one row at a time, so nothing holds a whole history in
 * memory. A sink may throw any unchecked exception (a cancelled import, a failed write) to stop the
 * read: the reader closes its file and lets the exception through unchanged.
 */
public interface RowSink {

  void accept(ImportedSession session);

  /** A row that cannot become a session; {@code sourceRowId} is null when the row has no id. */
  void skip(SkipReason reason, String sourceRowId);

  /**
   * How far the read is, for a progress bar and an estimate of the time left: {@code done} of
   * {@code total} {@code unit}s ("rows" of a SQLite table, "bytes" of a JSON file over both of its
   * passes). Called often: keep it cheap.
   */
  default void position(String unit, long done, long total) {}
}
