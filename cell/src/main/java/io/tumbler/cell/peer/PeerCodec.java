package io.tumbler.cell.peer;

import static com.google.common.base.Preconditions.checkArgument;

import io.netty.buffer.ByteBuf;
import io.tumbler.lockservice.command.MalformedInputException;
import io.tumbler.lockservice.command.WireReader;
import io.tumbler.lockservice.command.WireWriter;
import io.tumbler.lockservice.protocol.FrameError;
import io.tumbler.lockservice.protocol.FrameException;
import io.tumbler.lockservice.protocol.LengthPrefixedFrames;
import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Value;
import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.message.Message;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes the Paxos messages replicas exchange, one per frame:
 *
 * <pre>
 *   u32 length   bytes after this field; at most maxFrameBytes - 4
 *   u8  version  {@link #VERSION}
 *   u8  type     {@link PeerMessageType}
 *   i32 from     sending replica id
 *   i32 to       receiving replica id
 *   ... body     per message type, below
 * </pre>
 *
 * <p>Bodies, all integers big-endian: a ballot is {@code i64 counter, i32 replica}; a value is
 * {@code i32 count} then per command {@code i32 length, bytes}; lists are {@code i32 count} then
 * elements. Every length and count is checked against both a limit and the bytes actually present
 * before anything is allocated. Errors are the client protocol's {@link FrameError}s: one set of
 * reasons for refusing a frame, whichever port it arrived on. Stateless and thread-safe.
 */
public final class PeerCodec {

  /**
   * 2: snapshot chunks carry 64-bit offsets and the snapshot's checksum; promises are paged. A
   * replica refuses frames of another version, so a cell never mixes the layouts.
   */
  public static final int VERSION = 2;

  public static final int LENGTH_BYTES = LengthPrefixedFrames.LENGTH_BYTES;

  /** version + type + from + to. */
  public static final int HEADER_BYTES = 1 + 1 + 4 + 4;

  private static final int BALLOT_BYTES = 8 + 4;
  private static final int MIN_COMMAND_BYTES = 4;
  private static final int MIN_VALUE_BYTES = 4;
  private static final int MIN_ACCEPTED_ENTRY_BYTES = 8 + BALLOT_BYTES + MIN_VALUE_BYTES;
  private static final int MIN_CHOSEN_ENTRY_BYTES = 8 + MIN_VALUE_BYTES;

  private final int maxFrameBytes;

  /**
   * @param maxFrameBytes the largest frame, length prefix included, either side will send or
   *     accept; it must hold the largest message the Paxos configuration can produce
   */
  public PeerCodec(int maxFrameBytes) {
    checkArgument(
        maxFrameBytes >= LENGTH_BYTES + HEADER_BYTES,
        "maxFrameBytes must hold at least a header, was %s",
        maxFrameBytes);
    this.maxFrameBytes = maxFrameBytes;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /**
   * Appends one frame holding {@code envelope} to {@code out}.
   *
   * @throws FrameException OVERSIZED if the frame would exceed the maximum; nothing of it is left
   *     in {@code out}
   */
  public void encode(Envelope envelope, ByteBuf out) {
    Message message = envelope.message();
    int start = LengthPrefixedFrames.begin(out);
    out.writeByte(VERSION);
    out.writeByte(PeerMessageType.of(message).code());
    out.writeInt(envelope.from());
    out.writeInt(envelope.to());
    writeBody(new WireWriter(out), message);
    LengthPrefixedFrames.end(out, start, maxFrameBytes, "peer " + PeerMessageType.of(message));
  }

  /**
   * Decodes the next frame from {@code in}, or returns null (consuming nothing) if it has not all
   * arrived yet.
   *
   * @throws FrameException for anything that cannot become a valid frame; the connection is then
   *     unusable and should be closed
   */
  public Envelope decode(ByteBuf in) {
    ByteBuf frame = LengthPrefixedFrames.next(in, maxFrameBytes, HEADER_BYTES);
    return frame == null ? null : decodeFrame(frame);
  }

  private Envelope decodeFrame(ByteBuf frame) {
    int version = frame.readUnsignedByte();
    if (version != VERSION) {
      throw new FrameException(
          FrameError.UNSUPPORTED_VERSION,
          String.format("peer version %d; this replica speaks %d", version, VERSION));
    }
    int code = frame.readUnsignedByte();
    PeerMessageType type = PeerMessageType.fromCode(code);
    if (type == null) {
      throw new FrameException(
          FrameError.UNKNOWN_MESSAGE_TYPE, String.format("peer message type %d", code));
    }
    int from = frame.readInt();
    int to = frame.readInt();
    Message message;
    try {
      message = readBody(new WireReader(frame), type);
    } catch (MalformedInputException | IllegalArgumentException | NullPointerException e) {
      // The records' own checks (slot >= 1, offsets in range, ...) reject what parsed but is
      // impossible.
      throw new FrameException(FrameError.MALFORMED_BODY, type + ": " + e.getMessage());
    }
    if (frame.isReadable()) {
      throw new FrameException(
          FrameError.TRAILING_BYTES,
          String.format("%d bytes after a %s body", frame.readableBytes(), type));
    }
    return new Envelope(from, to, message);
  }

  // ---- bodies ----

  private static void writeBody(WireWriter out, Message message) {
    if (message instanceof Message.Prepare m) {
      writeBallot(out, m.ballot());
      out.writeLong(m.fromSlot());
    } else if (message instanceof Message.Promise m) {
      writeBallot(out, m.ballot());
      out.writeLong(m.logStartSlot());
      writeVotes(out, m.accepted());
      out.writeBoolean(m.moreVotes());
    } else if (message instanceof Message.PromiseVotesRequest m) {
      writeBallot(out, m.ballot());
      out.writeLong(m.fromSlot());
    } else if (message instanceof Message.PromiseVotes m) {
      writeBallot(out, m.ballot());
      out.writeLong(m.fromSlot());
      out.writeLong(m.logStartSlot());
      writeVotes(out, m.accepted());
      out.writeBoolean(m.moreVotes());
    } else if (message instanceof Message.Reject m) {
      writeBallot(out, m.ballot());
      writeBallot(out, m.promised());
      out.writeLong(m.leaseRemainingNanos());
    } else if (message instanceof Message.Accept m) {
      writeBallot(out, m.ballot());
      out.writeLong(m.slot());
      writeValue(out, m.value());
      out.writeLong(m.commitIndex());
    } else if (message instanceof Message.Accepted m) {
      writeBallot(out, m.ballot());
      out.writeLong(m.slot());
    } else if (message instanceof Message.Heartbeat m) {
      writeBallot(out, m.ballot());
      out.writeLong(m.round());
      out.writeLong(m.commitIndex());
    } else if (message instanceof Message.HeartbeatAck m) {
      writeBallot(out, m.ballot());
      out.writeLong(m.round());
    } else if (message instanceof Message.CatchUpRequest m) {
      out.writeLong(m.fromSlot());
    } else if (message instanceof Message.CatchUpReply m) {
      out.writeInt(m.entries().size());
      for (ChosenEntry entry : m.entries()) {
        out.writeLong(entry.slot());
        writeValue(out, entry.value());
      }
      out.writeLong(m.commitIndex());
      out.writeLong(m.snapshotIndex());
      out.writeBoolean(m.snapshotNeeded());
    } else if (message instanceof Message.SnapshotChunkRequest m) {
      out.writeLong(m.snapshotIndex());
      out.writeLong(m.offset());
    } else if (message instanceof Message.SnapshotChunk m) {
      out.writeLong(m.snapshotIndex());
      out.writeLong(m.offset());
      out.writeBytes(m.bytes());
      out.writeLong(m.totalBytes());
      out.writeInt(m.checksum());
    } else {
      throw new AssertionError("unknown peer message " + message);
    }
  }

  private Message readBody(WireReader in, PeerMessageType type) {
    switch (type) {
      case PREPARE:
        return new Message.Prepare(readBallot(in), in.readLong("fromSlot"));
      case PROMISE:
        return new Message.Promise(
            readBallot(in), in.readLong("logStartSlot"), readVotes(in), in.readBoolean("more"));
      case PROMISE_VOTES_REQUEST:
        return new Message.PromiseVotesRequest(readBallot(in), in.readLong("fromSlot"));
      case PROMISE_VOTES:
        return new Message.PromiseVotes(
            readBallot(in),
            in.readLong("fromSlot"),
            in.readLong("logStartSlot"),
            readVotes(in),
            in.readBoolean("more"));
      case REJECT:
        return new Message.Reject(readBallot(in), readBallot(in), in.readLong("leaseRemaining"));
      case ACCEPT:
        return new Message.Accept(
            readBallot(in), in.readLong("slot"), readValue(in), in.readLong("commitIndex"));
      case ACCEPTED:
        return new Message.Accepted(readBallot(in), in.readLong("slot"));
      case HEARTBEAT:
        return new Message.Heartbeat(readBallot(in), in.readLong("round"), in.readLong("commit"));
      case HEARTBEAT_ACK:
        return new Message.HeartbeatAck(readBallot(in), in.readLong("round"));
      case CATCH_UP_REQUEST:
        return new Message.CatchUpRequest(in.readLong("fromSlot"));
      case CATCH_UP_REPLY:
        {
          int count = readCount(in, "entries", MIN_CHOSEN_ENTRY_BYTES);
          List<ChosenEntry> entries = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            entries.add(new ChosenEntry(in.readLong("slot"), readValue(in)));
          }
          return new Message.CatchUpReply(
              entries,
              in.readLong("commitIndex"),
              in.readLong("snapshotIndex"),
              in.readBoolean("snapshotNeeded"));
        }
      case SNAPSHOT_CHUNK_REQUEST:
        return new Message.SnapshotChunkRequest(
            in.readLong("snapshotIndex"), in.readLong("offset"));
      case SNAPSHOT_CHUNK:
        return new Message.SnapshotChunk(
            in.readLong("snapshotIndex"),
            in.readLong("offset"),
            in.readBytes("chunk", maxFrameBytes),
            in.readLong("totalBytes"),
            in.readInt("checksum"));
    }
    throw new AssertionError("unhandled peer message type " + type);
  }

  private static void writeVotes(WireWriter out, List<AcceptedEntry> votes) {
    out.writeInt(votes.size());
    for (AcceptedEntry vote : votes) {
      out.writeLong(vote.slot());
      writeBallot(out, vote.ballot());
      writeValue(out, vote.value());
    }
  }

  private List<AcceptedEntry> readVotes(WireReader in) {
    int count = readCount(in, "accepted", MIN_ACCEPTED_ENTRY_BYTES);
    List<AcceptedEntry> votes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      votes.add(new AcceptedEntry(in.readLong("slot"), readBallot(in), readValue(in)));
    }
    return votes;
  }

  private static void writeBallot(WireWriter out, Ballot ballot) {
    out.writeLong(ballot.counter());
    out.writeInt(ballot.replicaId());
  }

  private static Ballot readBallot(WireReader in) {
    return new Ballot(in.readLong("ballot counter"), in.readInt("ballot replica"));
  }

  private static void writeValue(WireWriter out, Value value) {
    out.writeInt(value.commands().size());
    for (Command command : value.commands()) {
      out.writeBytes(command.bytes());
    }
  }

  private Value readValue(WireReader in) {
    int count = readCount(in, "commands", MIN_COMMAND_BYTES);
    if (count == 0) {
      return Value.NOOP;
    }
    List<Command> commands = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      commands.add(new Command(in.readBytes("command", maxFrameBytes)));
    }
    return new Value(commands);
  }

  /** A count no larger than the elements the remaining bytes could possibly hold. */
  private static int readCount(WireReader in, String what, int minElementBytes) {
    return in.readLength(what, in.buffer().readableBytes() / minElementBytes);
  }
}
