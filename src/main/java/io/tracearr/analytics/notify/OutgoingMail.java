package io.tracearr.analytics.notify;

import java.util.List;
import java.util.Objects;

/**
 * A mail to send through vertx-mail-client: the sender copies these into a {@code MailMessage}
 * ({@code setFrom}, {@code setTo}, {@code setSubject}, {@code setText}, {@code setHtml}) and sends
 * it with a client built from the channel's SMTP settings.
 */
public record OutgoingMail(String from, List<String> to, String subject, String text, String html)
    implements Outgoing {

  public OutgoingMail {
    Objects.requireNonNull(from, "from");
    to = List.copyOf(to);
    Objects.requireNonNull(subject, "subject");
  }
}
