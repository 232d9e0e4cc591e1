package io.tracearr.analytics.detect.rules;

import java.util.Comparator;

final class SessionOrder {

  /** Start time, then id, so equal start times still give one deterministic order. */
  static final Comparator<SessionView> BY_START =
      Comparator.comparing(SessionView::startedAt).thenComparing(s -> s.id().toString());

  private SessionOrder() {}
}
