package io.tracearr.analytics.importer;

/**
 * The whole file cannot be imported. The message is meant for the person who uploaded it and says
 * what to do about it ("not an SQLite database", "table session_history_media_info has no column
 * video_resolution"), so it is shown as the import's error as is.
 */
public class ImportFailure extends Exception {

  public ImportFailure(String message) {
    super(message);
  }

  public ImportFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
