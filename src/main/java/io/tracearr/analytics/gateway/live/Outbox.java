package io.tracearr.analytics.gateway.live;

import io.vertx.core.http.HttpConnection;
import java.util.ArrayList;

/**
 * The frames a dashboard socket is owed until the hub's next flush tick, then written to its
 * channel as one buffer with one flush.
 *
 * <p>Why this reaches below Vert.x's WebSocket API: Vert.x 5.0 flushes every write made outside a
 * read ({@code VertxConnection.write} → {@code writeAndFlush}) and offers no write without a flush,
 * so a broadcast to 1 000 dashboards cost one syscall per frame per socket. Here a frame costs a
 * list entry per socket; the tick copies the socket's frames, already encoded as WebSocket frames,
 * into one buffer. The channel and that encoding belong to {@link VertxInternals}, which says what
 * they rely on.
 *
 * <p>Everything here runs on the channel's event loop, which is the hub's: {@link #of} refuses any
 * other, and the socket then writes through Vert.x as before. Bytes held here count toward the
 * socket's write-queue bound ({@link #full}) before they reach the channel, where Netty's water
 * mark (set by {@code setWriteQueueMaxSize}) counts them.
 */
public final class Outbox {

  private final VertxInternals.Wire wire;
  private final LiveMemory memory;
  private final ArrayList<Frame> frames = new ArrayList<>();
  private int bytes;

  /** handed to the channel, not yet written to the kernel (counted in the node's budget too) */
  private long inChannel;

  private Outbox(VertxInternals.Wire wire, LiveMemory memory) {
    this.wire = wire;
    this.memory = memory;
  }

  /**
   * An outbox for the connection's channel, or null when it is not this event loop's (then write
   * through Vert.x).
   */
  static Outbox of(HttpConnection connection) {
    return of(connection, null);
  }

  /**
   * Like {@link #of(HttpConnection)}, counting the bytes in the channel in {@code memory} (null:
   * not counted).
   */
  static Outbox of(HttpConnection connection, LiveMemory memory) {
    VertxInternals.Wire wire = VertxInternals.wireOf(connection);
    return wire == null ? null : new Outbox(wire, memory);
  }

  /** Bytes this socket holds: waiting here and handed to its channel but not written out yet. */
  long pending() {
    return inChannel + bytes;
  }

  boolean isEmpty() {
    return frames.isEmpty();
  }

  /**
   * Whether the channel is past its high water mark, or what is held here fills what it has left
   * below it. A closed channel counts as full.
   */
  boolean full() {
    return wire.full(bytes);
  }

  int bytes() {
    return bytes;
  }

  void add(Frame f) {
    frames.add(f);
    bytes += f.wireSize();
  }

  /** Writes and flushes what is held; returns how many frames went out. */
  int flush() {
    return flush(null);
  }

  /**
   * Like {@link #flush()}, but takes the bytes from {@code tick} when the previous socket flushed
   * in this tick held the very same frames (the usual case: every dashboard of a hub gets the same
   * deltas), so a broadcast tick is encoded once per hub, not once per socket.
   */
  int flush(Tick tick) {
    int n = frames.size();
    if (n == 0) return 0;
    if (!wire.active()) {
      clear();
      return 0;
    }
    VertxInternals.Encoded out;
    if (tick != null && tick.holds(frames)) {
      out = tick.bytes.share();
    } else {
      VertxInternals.Encoded encoded = wire.encode(frames, bytes);
      if (tick != null) {
        tick.keep(frames, encoded);
        out = encoded.share();
      } else {
        out = encoded;
      }
    }
    clear();
    if (memory == null) {
      wire.writeAndFlush(out);
      return n;
    }
    long size = out.size();
    inChannel += size;
    memory.added(size);
    wire.writeAndFlush(
        out,
        () -> {
          inChannel -= size;
          memory.written(size);
        });
    return n;
  }

  /**
   * One flush tick of a hub: the frames and bytes last encoded, shared (reference-counted,
   * read-only duplicates) with the next sockets holding the same frames. {@link #release} when the
   * tick is over.
   */
  public static final class Tick {
    private final ArrayList<Frame> frames = new ArrayList<>();
    private VertxInternals.Encoded bytes;

    boolean holds(ArrayList<Frame> other) {
      if (bytes == null || other.size() != frames.size()) return false;
      for (int i = 0; i < other.size(); i++) {
        if (other.get(i) != frames.get(i)) return false;
      }
      return true;
    }

    void keep(ArrayList<Frame> held, VertxInternals.Encoded encoded) {
      release();
      frames.addAll(held);
      bytes = encoded;
    }

    public void release() {
      frames.clear();
      if (bytes != null) {
        bytes.release();
        bytes = null;
      }
    }
  }

  void clear() {
    frames.clear();
    bytes = 0;
  }
}
