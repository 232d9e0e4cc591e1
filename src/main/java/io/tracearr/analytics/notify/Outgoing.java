package io.tracearr.analytics.notify;

/** What a renderer produces: an HTTP request to make, or a mail to send. */
public sealed interface Outgoing permits OutgoingRequest, OutgoingMail {}
