package io.tracearr.analytics.notify;

import java.util.ArrayList;
import java.util.List;

/**
 * The words every channel sends, whatever its format: a title (what happened, to whom) and labelled
 * lines for who, where and why, plus the dashboard link. Renderers lay these out; none invents its
 * own wording, so Discord and e-mail say the same thing.
 *
 * @param link {@code notifications.dashboard_url}, or null when none is configured
 */
public record MessageText(
    String title, String what, String who, String where, String why, String link) {

  public static MessageText of(NotificationEvent event, String dashboardUrl) {
    String title = event.who() == null ? event.what() : event.what() + " - " + event.who();
    String link = dashboardUrl == null || dashboardUrl.isBlank() ? null : dashboardUrl;
    return new MessageText(title, event.what(), event.who(), event.where(), event.why(), link);
  }

  /** "Who: alice" style lines, only for the parts that are known. */
  public List<String> labelledLines() {
    List<String> lines = new ArrayList<>();
    if (who != null) lines.add("Who: " + who);
    if (where != null) lines.add("Where: " + where);
    if (why != null) lines.add("Why: " + why);
    return lines;
  }

  /** The whole message as plain text (ntfy, Gotify, Telegram, Pushover, e-mail text part). */
  public String plainBody() {
    List<String> lines = new ArrayList<>();
    lines.add(what);
    lines.addAll(labelledLines());
    if (link != null) lines.add("Dashboard: " + link);
    return String.join("\n", lines);
  }
}
