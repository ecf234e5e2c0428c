package io.tumbler.cell.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tumbler.lockservice.protocol.FrameError;
import io.tumbler.lockservice.protocol.FrameException;
import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Value;
import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.message.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PeerCodecTest {

  private static final int MAX_FRAME = 1024 * 1024;
  private final PeerCodec codec = new PeerCodec(MAX_FRAME);

  /** Random messages of every type. */
  private static final class Messages {
    private final Random random;

    Messages(Random random) {
      this.random = random;
    }

    Ballot ballot() {
      return new Ballot(random.nextInt(1000), random.nextInt(5));
    }

    long slot() {
      return 1 + random.nextInt(1_000_000);
    }

    Value value() {
      int count = random.nextInt(4);
      if (count == 0) {
        return Value.NOOP;
      }
      List<Command> commands = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        commands.add(new Command(bytes));
      }
      return new Value(commands);
    }

    List<AcceptedEntry> votes() {
      List<AcceptedEntry> votes = new ArrayList<>();
      for (int i = random.nextInt(5); i > 0; i--) {
        votes.add(new AcceptedEntry(slot(), ballot(), value()));
      }
      return votes;
    }

    Message of(PeerMessageType type) {
      switch (type) {
        case PREPARE:
          return new Message.Prepare(ballot(), slot());
        case PROMISE:
          {
            List<AcceptedEntry> votes = votes();
            return new Message.Promise(
                ballot(), slot(), votes, !votes.isEmpty() && random.nextBoolean());
          }
        case PROMISE_VOTES_REQUEST:
          return new Message.PromiseVotesRequest(ballot(), slot());
        case PROMISE_VOTES:
          {
            List<AcceptedEntry> votes = votes();
            return new Message.PromiseVotes(
                ballot(), slot(), slot(), votes, !votes.isEmpty() && random.nextBoolean());
          }
        case REJECT:
          return new Message.Reject(ballot(), ballot(), random.nextInt(1_000_000_000));
        case ACCEPT:
          return new Message.Accept(ballot(), slot(), value(), random.nextInt(1000));
        case ACCEPTED:
          return new Message.Accepted(ballot(), slot());
        case HEARTBEAT:
          return new Message.Heartbeat(ballot(), random.nextLong(), random.nextInt(1000));
        case HEARTBEAT_ACK:
          return new Message.HeartbeatAck(ballot(), random.nextLong());
        case CATCH_UP_REQUEST:
          return new Message.CatchUpRequest(slot());
        case CATCH_UP_REPLY:
          {
            List<ChosenEntry> entries = new ArrayList<>();
            for (int i = random.nextInt(5); i > 0; i--) {
              entries.add(new ChosenEntry(slot(), value()));
            }
            return new Message.CatchUpReply(
                entries, random.nextInt(1000), random.nextInt(1000), random.nextBoolean());
          }
        case SNAPSHOT_CHUNK_REQUEST:
          return new Message.SnapshotChunkRequest(slot(), random.nextLong(1L << 40));
        case SNAPSHOT_CHUNK:
          {
            byte[] chunk = new byte[random.nextInt(500)];
            random.nextBytes(chunk);
            long offset = random.nextLong(1L << 40);
            return new Message.SnapshotChunk(
                slot(), offset, chunk, offset + chunk.length + 7, random.nextInt());
          }
      }
      throw new AssertionError(type);
    }
  }

  private ByteBuf encode(Envelope envelope) {
    ByteBuf out = Unpooled.buffer();
    codec.encode(envelope, out);
    return out;
  }

  /** Messages hold arrays and lists of records; compare them by what they say. */
  private static void assertSameMessage(Message actual, Message expected, String as) {
    if (expected instanceof Message.SnapshotChunk chunk) {
      Message.SnapshotChunk got = (Message.SnapshotChunk) actual;
      assertThat(got.bytes()).as(as).isEqualTo(chunk.bytes());
      assertThat(got.snapshot()).as(as).isEqualTo(chunk.snapshot());
      assertThat(got.offset()).as(as).isEqualTo(chunk.offset());
    } else {
      assertThat(actual).as(as).isEqualTo(expected);
    }
  }

  @Test
  void everyMessageTypeRoundTripsWithRandomContents() {
    long seed = Long.getLong("peer.seed", new Random().nextLong());
    Messages messages = new Messages(new Random(seed));
    Set<PeerMessageType> seen = EnumSet.noneOf(PeerMessageType.class);
    for (int i = 0; i < 2000; i++) {
      PeerMessageType type = PeerMessageType.values()[i % PeerMessageType.values().length];
      Envelope sent = new Envelope(i % 5, (i + 1) % 5, messages.of(type));
      ByteBuf wire = encode(sent);

      Envelope received = codec.decode(wire);

      String as = "seed " + seed + " message " + i + " " + type;
      assertThat(received.from()).as(as).isEqualTo(sent.from());
      assertThat(received.to()).as(as).isEqualTo(sent.to());
      assertSameMessage(received.message(), sent.message(), as);
      assertThat(wire.isReadable()).as(as).isFalse();
      seen.add(PeerMessageType.of(received.message()));
    }
    assertThat(seen).containsExactlyInAnyOrder(PeerMessageType.values());
  }

  @Test
  void framesSplitAnywhereWaitForTheRestAndBackToBackFramesDecodeInOrder() {
    Messages messages = new Messages(new Random(7));
    Envelope first = new Envelope(1, 2, messages.of(PeerMessageType.PROMISE));
    Envelope second = new Envelope(2, 1, messages.of(PeerMessageType.ACCEPT));
    ByteBuf both = encode(first);
    codec.encode(second, both);
    byte[] bytes = new byte[both.readableBytes()];
    both.readBytes(bytes);

    for (int cut = 0; cut < bytes.length; cut++) {
      ByteBuf partial = Unpooled.wrappedBuffer(Arrays.copyOf(bytes, cut));
      List<Envelope> decoded = new ArrayList<>();
      Envelope next;
      while ((next = codec.decode(partial)) != null) {
        decoded.add(next);
      }
      assertThat(decoded.size()).as("cut at %d", cut).isLessThan(2);
      ByteBuf rest = Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, cut, bytes.length));
      ByteBuf joined = Unpooled.wrappedBuffer(partial, rest);
      while ((next = codec.decode(joined)) != null) {
        decoded.add(next);
      }
      assertThat(decoded).as("cut at %d", cut).containsExactly(first, second);
    }
  }

  @Test
  void oversizedFramesAreRefusedOnBothSides() {
    PeerCodec small = new PeerCodec(100);
    Envelope big =
        new Envelope(
            1,
            2,
            new Message.Accept(
                new Ballot(1, 1), 1, new Value(List.of(new Command(new byte[200]))), 0));
    ByteBuf out = Unpooled.buffer();
    out.writeByte(42);

    assertThatThrownBy(() -> small.encode(big, out))
        .isInstanceOf(FrameException.class)
        .satisfies(e -> assertThat(((FrameException) e).error()).isEqualTo(FrameError.OVERSIZED))
        .hasMessageContaining("ACCEPT frame of");
    assertThat(out.readableBytes()).as("nothing of the refused frame is left").isEqualTo(1);

    ByteBuf announcesTooMuch = Unpooled.buffer().writeInt(Integer.MAX_VALUE);
    assertThatThrownBy(() -> small.decode(announcesTooMuch))
        .satisfies(e -> assertThat(((FrameException) e).error()).isEqualTo(FrameError.OVERSIZED));
  }

  @Test
  void malformedHeadersAreRefusedWithTheirReason() {
    assertThat(errorOf(Unpooled.buffer().writeInt(3).writeZero(3)))
        .isEqualTo(FrameError.BAD_LENGTH);
    assertThat(errorOf(header(9, 1))).isEqualTo(FrameError.UNSUPPORTED_VERSION);
    // Version 1 laid snapshot chunks and promises out differently: never mixed in one cell.
    assertThat(errorOf(header(1, 1))).isEqualTo(FrameError.UNSUPPORTED_VERSION);
    assertThat(errorOf(header(PeerCodec.VERSION, 99))).isEqualTo(FrameError.UNKNOWN_MESSAGE_TYPE);
  }

  @Test
  void impossibleCountsAndValuesAreRefusedBeforeAllocating() {
    // A promise claiming two billion votes in a 40-byte body.
    ByteBuf promise =
        frame(
            PeerMessageType.PROMISE,
            body ->
                body.writeLong(1)
                    .writeInt(1)
                    .writeLong(1)
                    .writeInt(Integer.MAX_VALUE)
                    .writeZero(12));
    assertThat(errorOf(promise)).isEqualTo(FrameError.MALFORMED_BODY);
    // A page of votes saying more follow, yet holding none: nothing says where the rest start.
    ByteBuf moreOfNothing =
        frame(
            PeerMessageType.PROMISE_VOTES,
            body ->
                body.writeLong(1).writeInt(1).writeLong(1).writeLong(1).writeInt(0).writeByte(1));
    assertThat(errorOf(moreOfNothing)).isEqualTo(FrameError.MALFORMED_BODY);
    // An accept for slot 0, which no slot is.
    ByteBuf slotZero =
        frame(PeerMessageType.ACCEPTED, body -> body.writeLong(1).writeInt(1).writeLong(0));
    assertThat(errorOf(slotZero)).isEqualTo(FrameError.MALFORMED_BODY);
    // A heartbeat with a byte too many.
    ByteBuf trailing =
        frame(
            PeerMessageType.HEARTBEAT_ACK,
            body -> body.writeLong(1).writeInt(1).writeLong(5).writeByte(0));
    assertThat(errorOf(trailing)).isEqualTo(FrameError.TRAILING_BYTES);
  }

  @Test
  void randomBytesNeverFailWithAnythingButAFrameError() {
    long seed = Long.getLong("peer.seed", new Random().nextLong());
    Random random = new Random(seed);
    Messages messages = new Messages(random);
    for (int i = 0; i < 20_000; i++) {
      ByteBuf wire =
          encode(
              new Envelope(
                  1,
                  2,
                  messages.of(
                      PeerMessageType.values()[random.nextInt(PeerMessageType.values().length)])));
      // Damage one byte after the length prefix, so the frame still arrives whole.
      int at =
          PeerCodec.LENGTH_BYTES + random.nextInt(wire.readableBytes() - PeerCodec.LENGTH_BYTES);
      wire.setByte(at, wire.getByte(at) ^ (1 + random.nextInt(255)));
      try {
        codec.decode(wire);
      } catch (FrameException expected) {
        // Refused with a reason: fine. Anything else escapes and fails the test.
      } catch (RuntimeException e) {
        throw new AssertionError("seed " + seed + " input " + i + ": " + e, e);
      }
    }
  }

  private interface BodyWriter {
    void write(ByteBuf body);
  }

  private static ByteBuf frame(PeerMessageType type, BodyWriter writer) {
    ByteBuf body = Unpooled.buffer();
    writer.write(body);
    ByteBuf frame = Unpooled.buffer();
    frame.writeInt(PeerCodec.HEADER_BYTES + body.readableBytes());
    frame.writeByte(PeerCodec.VERSION).writeByte(type.code()).writeInt(1).writeInt(2);
    frame.writeBytes(body);
    return frame;
  }

  private static ByteBuf header(int version, int type) {
    return Unpooled.buffer()
        .writeInt(PeerCodec.HEADER_BYTES)
        .writeByte(version)
        .writeByte(type)
        .writeInt(1)
        .writeInt(2);
  }

  private FrameError errorOf(ByteBuf wire) {
    try {
      codec.decode(wire);
    } catch (FrameException e) {
      return e.error();
    }
    throw new AssertionError("decoded without an error");
  }
}
