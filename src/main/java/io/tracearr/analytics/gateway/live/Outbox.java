package io.tracearr.analytics.gateway.live;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.ArrayList;

/**
 * The frames a dashboard socket is owed until the hub's next flush tick, then written to its channel as one
 * buffer with one flush.
 *
 * <p>Why this reaches below Vert.x's WebSocket API: Vert.x 5.0 flushes every write made outside a read
 * ({@code VertxConnection.write} → {@code writeAndFlush}) and offers no write without a flush, so a broadcast
 * to 1 000 dashboards cost one syscall per frame per socket. Here a frame costs a list entry per socket; the
 * tick copies the socket's frames, already encoded as WebSocket frames (see {@link Frame#wireTo}), into one
 * buffer. Those bytes pass the WebSocket encoders untouched (they only take {@code WebSocketFrame}s) and are
 * plain uncompressed frames, valid with or without permessage-deflate (RFC 7692 §6: RSV1 clear).
 *
 * <p>Everything here runs on the channel's event loop, which is the hub's: {@link #of} refuses any other, and
 * the socket then writes through Vert.x as before. Bytes held here count toward the socket's write-queue
 * bound ({@link #full}) before they reach the channel, where Netty's water mark (set by
 * {@code setWriteQueueMaxSize}) counts them.
 */
public final class Outbox {

  private final Channel channel;
  private final ArrayList<Frame> frames = new ArrayList<>();
  private int bytes;

  private Outbox(Channel channel) {
    this.channel = channel;
  }

  /** An outbox for the connection's channel, or null when it is not this event loop's (then write through Vert.x). */
  static Outbox of(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) return null;
    Channel channel = base.channel();
    return channel != null && channel.eventLoop().inEventLoop() ? new Outbox(channel) : null;
  }

  boolean isEmpty() {
    return frames.isEmpty();
  }

  /**
   * Whether the channel is past its high water mark, or what is held here fills what it has left below it.
   * A closed channel counts as full.
   */
  boolean full() {
    return !channel.isWritable() || bytes >= channel.bytesBeforeUnwritable();
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
   * Like {@link #flush()}, but takes the bytes from {@code tick} when the previous socket flushed in this
   * tick held the very same frames (the usual case: every dashboard of a hub gets the same deltas), so a
   * broadcast tick is encoded once per hub, not once per socket.
   */
  int flush(Tick tick) {
    int n = frames.size();
    if (n == 0) return 0;
    if (!channel.isActive()) {
      clear();
      return 0;
    }
    ByteBuf out;
    if (tick != null && tick.holds(frames)) {
      out = tick.bytes.retainedDuplicate();
    } else {
      ByteBuf buf = channel.alloc().directBuffer(bytes);
      for (int i = 0; i < n; i++) frames.get(i).wireTo(buf);
      if (tick != null) {
        tick.keep(frames, buf);
        // each channel gets its own duplicate: a write moves the reader index of what it writes
        out = buf.retainedDuplicate();
      } else {
        out = buf;
      }
    }
    clear();
    channel.writeAndFlush(out, channel.voidPromise());
    return n;
  }

  /**
   * One flush tick of a hub: the frames and bytes last encoded, shared (reference-counted, read-only
   * duplicates) with the next sockets holding the same frames. {@link #release} when the tick is over.
   */
  public static final class Tick {
    private final ArrayList<Frame> frames = new ArrayList<>();
    private ByteBuf bytes;

    boolean holds(ArrayList<Frame> other) {
      if (bytes == null || other.size() != frames.size()) return false;
      for (int i = 0; i < other.size(); i++) {
        if (other.get(i) != frames.get(i)) return false;
      }
      return true;
    }

    void keep(ArrayList<Frame> held, ByteBuf encoded) {
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
