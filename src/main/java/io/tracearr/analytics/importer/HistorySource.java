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
}
