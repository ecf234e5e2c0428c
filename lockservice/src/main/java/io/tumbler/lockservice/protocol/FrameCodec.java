package io.tumbler.lockservice.protocol;

import io.netty.buffer.ByteBuf;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.CommandCodec;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.MalformedInputException;
import io.tumbler.lockservice.command.WireReader;
import io.tumbler.lockservice.command.WireWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes frames:
 *
 * <pre>
 *   u32 length       bytes after this field; at most maxFrameBytes - 4
 *   u8  version      {@link #VERSION}
 *   u8  type         {@link MessageType}
 *   i64 correlation  chosen by the requester, echoed in the response
 *   ... body         per message type (docs/protocol.md)
 * </pre>
 *
 * All integers big-endian. The decoder looks at the length prefix first and refuses an oversized
 * frame before any of its body arrives; it never allocates more than the bytes actually present.
 * Stateless and thread-safe.
 */
public final class FrameCodec {

  public static final int VERSION = 1;
  public static final int LENGTH_BYTES = LengthPrefixedFrames.LENGTH_BYTES;

  /** version + type + correlation id. */
  public static final int HEADER_BYTES = 1 + 1 + 8;

  /** Most events or invalidations in one KeepAlive answer; the master sends the rest next time. */
  public static final int MAX_EVENTS_PER_KEEP_ALIVE = 10_000;

  /** Most replicas named in a MasterLocation answer. */
  public static final int MAX_REPLICAS = 64;

  private static final int MAX_ADDRESS_BYTES = 255;

  private final int maxFrameBytes;
  private final CommandCodec codec;

  public FrameCodec(Limits limits) {
    this.maxFrameBytes = limits.maxFrameBytes();
    this.codec = new CommandCodec(limits);
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * Appends {@code frame} to {@code out}.
   *
   * @throws FrameException OVERSIZED if it would exceed the maximum frame size; nothing of it is
   *     left in {@code out}
   */
  public void encode(Frame frame, ByteBuf out) {
    int start = LengthPrefixedFrames.begin(out);
    out.writeByte(VERSION);
    out.writeByte(frame.message().type().code());
    out.writeLong(frame.correlationId());
    writeBody(new WireWriter(out), frame.message());
    LengthPrefixedFrames.end(out, start, maxFrameBytes, frame.message().type().toString());
  }

  /**
   * Decodes the next frame from {@code in}, or returns null (consuming nothing) if it has not all
   * arrived yet. On success the frame's bytes are consumed.
   *
   * @throws FrameException for anything that cannot become a valid frame; the stream is then
   *     unusable and the connection should be closed
   */
  public Frame decode(ByteBuf in) {
    ByteBuf frame = LengthPrefixedFrames.next(in, maxFrameBytes, HEADER_BYTES);
    return frame == null ? null : decodeFrame(frame);
  }

  /** Decodes a buffer that must hold exactly one whole frame. */
  public Frame decodeExactlyOne(ByteBuf in) {
    Frame frame = decode(in);
    if (frame == null) {
      throw new FrameException(
          FrameError.TRUNCATED, String.format("only %d bytes of a frame", in.readableBytes()));
    }
    if (in.isReadable()) {
      throw new FrameException(
          FrameError.TRAILING_BYTES, String.format("%d bytes after the frame", in.readableBytes()));
    }
    return frame;
  }

  private Frame decodeFrame(ByteBuf frame) {
    int version = frame.readUnsignedByte();
    if (version != VERSION) {
      throw new FrameException(
          FrameError.UNSUPPORTED_VERSION,
          String.format("version %d; this side speaks %d", version, VERSION));
    }
    int code = frame.readUnsignedByte();
    MessageType type = MessageType.fromCode(code);
    if (type == null) {
      throw new FrameException(
          FrameError.UNKNOWN_MESSAGE_TYPE, String.format("message type %d", code));
    }
    long correlationId = frame.readLong();
    Message message;
    try {
      message = readBody(new WireReader(frame), type);
    } catch (MalformedInputException | IllegalArgumentException e) {
      throw new FrameException(
          FrameError.MALFORMED_BODY, type + ": " + e.getMessage(), correlationId);
    }
    if (frame.isReadable()) {
      throw new FrameException(
          FrameError.TRAILING_BYTES,
          String.format("%d bytes after the %s body", frame.readableBytes(), type),
          correlationId);
    }
    return new Frame(correlationId, message);
  }

  private void writeBody(WireWriter w, Message message) {
    if (message instanceof Message.CreateSession m) {
      w.writeLong(m.epoch());
    } else if (message instanceof Message.SessionRequest m) {
      w.writeLong(m.epoch()).writeLong(m.session()).writeLong(m.requestNumber());
      w.writeLong(m.ackedThrough());
      codec.writeRequest(w, m.request());
    } else if (message instanceof Message.KeepAlive m) {
      w.writeLong(m.epoch()).writeLong(m.session()).writeLong(m.eventsAckedThrough());
      w.writeLong(m.invalidationsAckedThrough()).writeBits(m.noticesAcked());
    } else if (message instanceof Message.FindMaster) {
      // no body
    } else if (message instanceof Message.SessionCreated m) {
      w.writeLong(m.epoch()).writeLong(m.session()).writeLong(m.leaseMs());
    } else if (message instanceof Message.Response m) {
      w.writeBoolean(m.cachable());
      codec.writeResult(w, m.result());
    } else if (message instanceof Message.KeepAliveResponse m) {
      checkCount(m.events().size(), MAX_EVENTS_PER_KEEP_ALIVE, "events");
      checkCount(m.invalidations().size(), MAX_EVENTS_PER_KEEP_ALIVE, "invalidations");
      w.writeLong(m.epoch()).writeLong(m.leaseMs()).writeBits(m.notices());
      w.writeInt(m.events().size());
      for (Message.NumberedEvent e : m.events()) {
        w.writeLong(e.index()).writeLong(e.handle());
        codec.writeEvent(w, e.event());
      }
      w.writeInt(m.invalidations().size());
      for (Message.Invalidation i : m.invalidations()) {
        w.writeLong(i.number()).writeString(i.path());
      }
    } else if (message instanceof Message.Redirect m) {
      w.writeByte(m.reason().wire()).writeString(m.master()).writeLong(m.epoch());
    } else if (message instanceof Message.ProtocolError m) {
      String detail = m.detail();
      if (detail.length() > CommandCodec.MAX_DETAIL_CHARS) {
        detail = detail.substring(0, CommandCodec.MAX_DETAIL_CHARS);
      }
      w.writeByte(m.error().code()).writeString(detail);
    } else if (message instanceof Message.MasterLocation m) {
      checkCount(m.replicas().size(), MAX_REPLICAS, "replicas");
      w.writeString(m.master()).writeLong(m.epoch()).writeInt(m.replicas().size());
      for (String replica : m.replicas()) {
        w.writeString(replica);
      }
    } else {
      throw new AssertionError("unknown message " + message);
    }
  }

  private static void checkCount(int count, int max, String what) {
    if (count > max) {
      throw new FrameException(
          FrameError.OVERSIZED, String.format("%d %s exceed the limit of %d", count, what, max));
    }
  }

  private Message readBody(WireReader r, MessageType type) {
    switch (type) {
      case CREATE_SESSION:
        return new Message.CreateSession(r.readLong("epoch"));
      case SESSION_REQUEST:
        return new Message.SessionRequest(
            r.readLong("epoch"),
            r.readLong("session"),
            r.readLong("request number"),
            r.readLong("acked through"),
            codec.readRequest(r));
      case KEEP_ALIVE:
        return new Message.KeepAlive(
            r.readLong("epoch"),
            r.readLong("session"),
            r.readLong("events acked through"),
            r.readLong("invalidations acked through"),
            CommandCodec.enumSet(
                r.readBits("notices acked", SessionNotice.values().length), SessionNotice.class));
      case FIND_MASTER:
        return new Message.FindMaster();
      case SESSION_CREATED:
        return new Message.SessionCreated(
            r.readLong("epoch"), r.readLong("session"), r.readLong("lease"));
      case RESPONSE:
        {
          boolean cachable = r.readBoolean("cachable");
          return new Message.Response(codec.readResult(r), cachable);
        }
      case KEEP_ALIVE_RESPONSE:
        {
          long epoch = r.readLong("epoch");
          long leaseMs = r.readLong("lease");
          var notices =
              CommandCodec.enumSet(
                  r.readBits("notices", SessionNotice.values().length), SessionNotice.class);
          int n = r.readLength("events", MAX_EVENTS_PER_KEEP_ALIVE);
          List<Message.NumberedEvent> events = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            events.add(
                new Message.NumberedEvent(
                    r.readLong("event index"), r.readLong("handle"), codec.readEvent(r)));
          }
          int m = r.readLength("invalidations", MAX_EVENTS_PER_KEEP_ALIVE);
          List<Message.Invalidation> invalidations = new ArrayList<>();
          for (int i = 0; i < m; i++) {
            invalidations.add(
                new Message.Invalidation(
                    r.readLong("invalidation number"),
                    r.readString("path", codec.limits().maxPathBytes())));
          }
          return new Message.KeepAliveResponse(epoch, leaseMs, notices, events, invalidations);
        }
      case REDIRECT:
        {
          int wire = r.readUnsignedByte("redirect reason");
          ErrorCode reason = ErrorCode.fromWire(wire);
          if (reason != ErrorCode.NOT_MASTER && reason != ErrorCode.STALE_EPOCH) {
            throw new MalformedInputException("redirect reason %d", wire);
          }
          return new Message.Redirect(
              reason, r.readString("master", MAX_ADDRESS_BYTES), r.readLong("epoch"));
        }
      case PROTOCOL_ERROR:
        {
          int code = r.readUnsignedByte("frame error");
          FrameError error = FrameError.fromCode(code);
          if (error == null) {
            throw new MalformedInputException("unknown frame error %d", code);
          }
          return new Message.ProtocolError(
              error, r.readString("detail", 3 * CommandCodec.MAX_DETAIL_CHARS));
        }
      case MASTER_LOCATION:
        {
          String master = r.readString("master", MAX_ADDRESS_BYTES);
          long epoch = r.readLong("epoch");
          int n = r.readLength("replicas", MAX_REPLICAS);
          List<String> replicas = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            replicas.add(r.readString("replica", MAX_ADDRESS_BYTES));
          }
          return new Message.MasterLocation(master, epoch, replicas);
        }
    }
    throw new AssertionError("unhandled message type " + type);
  }
}
