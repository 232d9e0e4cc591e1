package io.tracearr.analytics.importer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Keeps everything a reader sends, as the importer's staging would, for the tests to look at. */
final class CollectingSink implements RowSink {

  final List<ImportedSession> sessions = new ArrayList<>();
  final Map<SkipReason, Integer> skipped = new EnumMap<>(SkipReason.class);
  final List<String> skippedRowIds = new ArrayList<>();

  @Override
  public void accept(ImportedSession session) {
    sessions.add(session);
  }

  @Override
  public void skip(SkipReason reason, String sourceRowId) {
    skipped.merge(reason, 1, Integer::sum);
    skippedRowIds.add(sourceRowId);
  }

  ImportedSession byRowId(String rowId) {
    Optional<ImportedSession> found =
        sessions.stream().filter(s -> s.sourceRowId().equals(rowId)).findFirst();
    return found.orElseThrow(
        () -> new AssertionError("no session " + rowId + " in " + sessions.size()));
  }

  long playedSeconds() {
    return sessions.stream().mapToLong(ImportedSession::playedSeconds).sum();
  }
}
