package io.tracearr.analytics.importer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sqlite.SQLiteConfig;

/**
 * Opening an uploaded SQLite file safely, shared by the Tautulli and Playback Reporting readers:
 * read-only (an import must never change the operator's file), after checking the header
 * (sqlite-jdbc would happily treat any file, or a missing one, as a database and fail later with a
 * vaguer message), and with SQLite's errors turned into messages a person can act on.
 */
final class SqliteFile {

  private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
  private static final int SQLITE_CORRUPT = 11;
  private static final int SQLITE_NOTADB = 26;

  private SqliteFile() {}

  static Connection openReadOnly(Path file) throws ImportFailure {
    checkHeader(file);
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    // immutable: an upload is a closed copy, so no locks and no -wal/-shm files next to it (a
    // read-only
    // open of a WAL-mode file, as Tautulli keeps its own, would otherwise create both); a URI, so a
    // name
    // with spaces or '?' survives
    String uri = file.toAbsolutePath().toUri().toString() + "?immutable=1";
    try {
      return config.createConnection("jdbc:sqlite:" + uri);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static void checkHeader(Path file) throws ImportFailure {
    byte[] head = new byte[HEADER.length];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    } catch (NoSuchFileException e) {
      throw new ImportFailure("file not found: " + file.getFileName());
    } catch (IOException e) {
      throw new ImportFailure("cannot read the file: " + e.getMessage(), e);
    }
    if (n < HEADER.length || !Arrays.equals(head, HEADER)) {
      throw new ImportFailure(
          "not an SQLite database: the file does not start with the SQLite header"
              + (n == 0 ? " (it is empty)" : ""));
    }
  }

  /**
   * Fails naming every missing table and column, so a database of another schema (another tool, a
   * far older version) is refused before a single row is read.
   *
   * @param tool the tool's name for the message, e.g. "Tautulli"
   * @param required table → the columns the reader uses, in a stable order
   */
  static void requireSchema(Connection db, String tool, Map<String, List<String>> required)
      throws ImportFailure {
    List<String> problems = new ArrayList<>();
    try (PreparedStatement columns = db.prepareStatement("SELECT name FROM pragma_table_info(?)")) {
      for (Map.Entry<String, List<String>> table : required.entrySet()) {
        columns.setString(1, table.getKey());
        Set<String> present = new LinkedHashSet<>();
        try (ResultSet rs = columns.executeQuery()) {
          while (rs.next()) {
            // SQLite matches column names without regard to case, and so does this check
            present.add(rs.getString(1).toLowerCase(Locale.ROOT));
          }
        }
        if (present.isEmpty()) {
          problems.add("it has no table " + table.getKey());
          continue;
        }
        List<String> missing =
            table.getValue().stream()
                .filter(c -> !present.contains(c.toLowerCase(Locale.ROOT)))
                .toList();
        if (!missing.isEmpty()) {
          problems.add("table " + table.getKey() + " has no column " + String.join(", ", missing));
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    if (!problems.isEmpty()) {
      throw new ImportFailure(
          "not a " + tool + " database of a known schema: " + String.join("; ", problems));
    }
  }

  /**
   * How many rows {@code table} has: the total of a progress bar (a count is a fast scan in
   * SQLite).
   */
  static long count(Connection db, String table) throws SQLException {
    try (Statement st = db.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * SQLite's result code decides the wording: corruption is the file's fault, not the importer's.
   */
  static ImportFailure failure(SQLException e) {
    int primary = e.getErrorCode() & 0xff;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
      return new ImportFailure("corrupt database: " + e.getMessage(), e);
    }
    return new ImportFailure("cannot read the database: " + e.getMessage(), e);
  }

  /**
   * An integer column that may hold NULL, an empty string or a number as text (SQLite's dynamic
   * typing).
   */
  static Long longOrNull(ResultSet rs, int column) throws SQLException {
    Object value = rs.getObject(column);
    if (value == null) {
      return null;
    }
    if (value instanceof Number number) {
      return number.longValue();
    }
    String text = value.toString().trim();
    if (text.isEmpty()) {
      return null;
    }
    try {
      return (long) Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static Integer intOrNull(ResultSet rs, int column) throws SQLException {
    Long value = longOrNull(rs, column);
    return value == null || value > Integer.MAX_VALUE || value < Integer.MIN_VALUE
        ? null
        : value.intValue();
  }

  /** A text column, with blanks as null: the sources write '' where they mean "unknown". */
  static String textOrNull(ResultSet rs, int column) throws SQLException {
    String value = rs.getString(column);
    return value == null || value.isBlank() ? null : value;
  }
}
