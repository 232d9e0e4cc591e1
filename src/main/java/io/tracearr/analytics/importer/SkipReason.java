package io.tracearr.analytics.importer;

/**
 * Why a source row was left out. An import reports a count per reason, so a person can tell "3 rows
 * had no user" from "the file is wrong"; the keys are what the import's status shows.
 */
public enum SkipReason {
  /** Ended before it started, or paused longer than it lasted, or a negative played time. */
  IMPOSSIBLE_TIMES("impossible_times"),
  /** No start or end time, or one that cannot be read. */
  MISSING_TIME("missing_time"),
  MISSING_USER("missing_user"),
  MISSING_ITEM("missing_item"),
  /** The source's own row id is absent, so the row could not be imported idempotently. */
  MISSING_ID("missing_id");

  private final String key;

  SkipReason(String key) {
    this.key = key;
  }

  public String key() {
    return key;
  }
}
