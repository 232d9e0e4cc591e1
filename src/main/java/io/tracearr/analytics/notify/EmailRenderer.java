package io.tracearr.analytics.notify;

/**
 * A plain-text and an HTML part with the same words; the HTML escapes everything that came from
 * outside.
 */
final class EmailRenderer {

  private EmailRenderer() {}

  static OutgoingMail render(ChannelSettings.Email e, MessageText text) {
    StringBuilder html = new StringBuilder("<html><body>");
    html.append("<h2>").append(escape(text.what())).append("</h2><ul>");
    for (String line : text.labelledLines())
      html.append("<li>").append(escape(line)).append("</li>");
    html.append("</ul>");
    if (text.link() != null) {
      html.append("<p><a href=\"").append(escape(text.link())).append("\">Open dashboard</a></p>");
    }
    html.append("</body></html>");
    // subjects with newlines would be header injection; MessageText has none, but names come from
    // outside
    String subject = "[tracearr] " + text.title().replaceAll("[\\r\\n]+", " ");
    return new OutgoingMail(e.from(), e.to(), subject, text.plainBody(), html.toString());
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
