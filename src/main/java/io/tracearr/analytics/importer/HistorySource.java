package io.tracearr.analytics.importer;

import java.nio.file.Path;

/**
 * Reads another tool's history file. Blocking (file and JDBC I/O): run it on a worker thread, never
 * an event loop. Rows reach the sink in the file's order; on failure some rows may already have
 * been sent, which is why the importer stages them and moves them in one transaction only at the
 * end.
 */
public interface HistorySource {

  void read(Path file, RowSink sink) throws ImportFailure;

  /**
   * The first and last start a file holds (UTC days): the months the import needs partitions for.
   */
  record Span(java.time.LocalDate first, java.time.LocalDate last) {}

  /**
   * The file's {@link Span}, empty when it holds no importable row. This default reads the file
   * once more, dropping every row (same conversion as the import, so the same days); a source that
   * can ask its file directly overrides it. Blocking, like {@link #read}.
   */
  default java.util.Optional<Span> span(Path file) throws ImportFailure {
    java.time.Instant[] seen = new java.time.Instant[2];
    read(
        file,
        new RowSink() {
          @Override
          public void accept(ImportedSession s) {
            if (seen[0] == null || s.startedAt().isBefore(seen[0])) seen[0] = s.startedAt();
            if (seen[1] == null || s.startedAt().isAfter(seen[1])) seen[1] = s.startedAt();
          }

          @Override
          public void skip(SkipReason reason, String sourceRowId) {}
        });
    if (seen[0] == null) return java.util.Optional.empty();
    return java.util.Optional.of(
        new Span(
            seen[0].atZone(java.time.ZoneOffset.UTC).toLocalDate(),
            seen[1].atZone(java.time.ZoneOffset.UTC).toLocalDate()));
  }
}
