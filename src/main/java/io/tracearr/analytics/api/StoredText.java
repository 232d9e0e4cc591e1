package io.tracearr.analytics.api;

/**
 * The one rule for free text that PostgreSQL stores (titles, names, device ids, reasons, token
 * subjects): checked where input is validated, so a value that passes can always be written.
 *
 * <ul>
 *   <li>NUL (U+0000) is refused: a PostgreSQL {@code text} value cannot hold it (SQLSTATE 22021),
 *       and one such value in a batch failed the whole batch (issue 19 F1/F3).
 *   <li>The other C0 controls (U+0001..U+001F) and DEL (U+007F) are refused except TAB and LF: they
 *       have no meaning in a title or a name and make log lines and dashboards lie (ESC sequences,
 *       CR overwriting a line). TAB and LF are harmless in display and appear in real titles and
 *       reasons.
 *   <li>An unpaired UTF-16 surrogate is refused: it has no UTF-8 encoding, so it would be stored as
 *       {@code ?}.
 * </ul>
 */
public final class StoredText {

  private StoredText() {}

  /** Why {@code s} cannot be stored as text, or null when it can. */
  public static String refusal(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c == 0) return "must not contain NUL (\\u0000)";
      if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F) {
        return "must not contain control characters (U+"
            + String.format("%04X", (int) c)
            + "); only tab and newline are allowed";
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return "must be valid Unicode text (unpaired surrogate)";
        }
      } else if (Character.isLowSurrogate(c)) {
        return "must be valid Unicode text (unpaired surrogate)";
      }
    }
    return null;
  }
}
