package io.tracearr.analytics.gateway.live;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * The deltas a socket is owed while its snapshot loads, sent after it (applying one twice is
 * harmless). Bounded: once full, a {@code session.updated} gives way to a frame that matters (a
 * later update or the end supersedes it), and a backlog of frames that matter alone means the
 * socket should resync instead of holding more.
 */
final class SnapshotBacklog {

  private final int capacity;
  private final ArrayDeque<Frame> held = new ArrayDeque<>();

  SnapshotBacklog(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Holds {@code f}, or drops an update to make room: {@code f} itself if it is one, else the
   * oldest update held. {@code dropped} hears of every frame dropped. Returns false when the
   * backlog is full of frames that matter and {@code f} is one too: nothing was held or dropped,
   * and the socket must start over.
   */
  boolean hold(Frame f, Consumer<Frame> dropped) {
    if (held.size() < capacity) {
      held.add(f);
      return true;
    }
    if (f.droppable()) {
      dropped.accept(f);
      return true;
    }
    for (Iterator<Frame> it = held.iterator(); it.hasNext(); ) {
      Frame old = it.next();
      if (old.droppable()) {
        it.remove();
        dropped.accept(old);
        held.add(f);
        return true;
      }
    }
    return false;
  }

  /** What is held, in the order it is to be sent. */
  List<Frame> frames() {
    return List.copyOf(held);
  }
}
