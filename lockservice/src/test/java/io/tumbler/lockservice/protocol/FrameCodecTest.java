package io.tumbler.lockservice.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CommandCodec;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.WireReader;
import io.tumbler.lockservice.command.WireWriter;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  private static final long SEED = 20261125L;
  private final FrameCodec codec = new FrameCodec(Limits.DEFAULTS);

  private ByteBuf encode(Frame frame) {
    ByteBuf buf = Unpooled.buffer();
    codec.encode(frame, buf);
    return buf;
  }

  @Test
  void everyMessageTypeRoundTripsWithRandomContents() {
    RandomMessages random = new RandomMessages(SEED);
    Set<MessageType> types = EnumSet.noneOf(MessageType.class);
    Set<Class<?>> variants = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      Message message = random.message();
      Frame frame = new Frame(i * 7919L - 5, message);
      ByteBuf buf = encode(frame);
      assertThat(buf.getInt(0)).isEqualTo(buf.readableBytes() - FrameCodec.LENGTH_BYTES);
      assertThat(codec.decodeExactlyOne(buf)).as("seed %d, frame %d", SEED, i).isEqualTo(frame);
      types.add(message.type());
      if (message instanceof Message.SessionRequest r) {
        variants.add(r.request().getClass());
        if (r.request() instanceof Request.Transaction t) {
          t.ops().forEach(op -> variants.add(op.getClass()));
        }
      } else if (message instanceof Message.Response r) {
        variants.add(r.result().getClass());
      } else if (message instanceof Message.KeepAliveResponse k) {
        k.events().forEach(e -> variants.add(e.event().getClass()));
      }
    }
    assertThat(types).containsExactlyInAnyOrder(MessageType.values());
    for (Class<?> sealed :
        List.of(
            Request.class,
            Result.class,
            io.tumbler.lockservice.command.Event.class,
            io.tumbler.lockservice.command.TxnOp.class)) {
      assertThat(variants).contains(sealed.getPermittedSubclasses());
    }
  }

  @Test
  void everyLogCommandRoundTrips() {
    RandomMessages random = new RandomMessages(SEED);
    CommandCodec commands = new CommandCodec(Limits.DEFAULTS);
    Set<Class<?>> seen = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      Command command = random.command();
      ByteBuf buf = Unpooled.buffer();
      commands.writeCommand(new WireWriter(buf), command);
      assertThat(commands.readCommand(new WireReader(buf))).isEqualTo(command);
      assertThat(buf.isReadable()).isFalse();
      seen.add(command.getClass());
    }
    assertThat(seen).contains(Command.class.getPermittedSubclasses());
  }

  @Test
  void framesInAStreamDecodeInOrderAndPartialOnesWait() {
    RandomMessages random = new RandomMessages(SEED);
    ByteBuf stream = Unpooled.buffer();
    List<Frame> sent =
        List.of(
            new Frame(1, random.message()),
            new Frame(2, random.message()),
            new Frame(3, random.message()));
    sent.forEach(f -> codec.encode(f, stream));
    ByteBuf arriving = Unpooled.buffer();
    int received = 0;
    while (stream.isReadable()) {
      arriving.writeBytes(stream, Math.min(3, stream.readableBytes()));
      Frame f;
      while ((f = codec.decode(arriving)) != null) {
        assertThat(f).isEqualTo(sent.get(received++));
      }
    }
    assertThat(received).isEqualTo(3);
    assertThat(arriving.isReadable()).isFalse();
  }

  @Test
  void everyTruncationOfAFrameIsReportedAsTruncated() {
    ByteBuf whole =
        encode(
            new Frame(
                9,
                new Message.SessionRequest(
                    1, 2, 3, 2, new Request.SetContents(4, ByteString.utf8("contents"), -1))));
    for (int length = 0; length < whole.readableBytes(); length++) {
      ByteBuf prefix = whole.slice(0, length);
      assertThat(codec.decode(prefix.duplicate())).as("prefix %d", length).isNull();
      assertThatThrownBy(() -> codec.decodeExactlyOne(prefix.duplicate()))
          .isInstanceOfSatisfying(
              FrameException.class, e -> assertThat(e.error()).isEqualTo(FrameError.TRUNCATED));
    }
  }

  @Test
  void oversizedLengthIsRefusedBeforeTheBodyArrives() {
    ByteBuf header = Unpooled.buffer().writeInt(Limits.DEFAULT_MAX_FRAME_BYTES - 3);
    assertThatThrownBy(() -> codec.decode(header))
        .isInstanceOfSatisfying(
            FrameException.class, e -> assertThat(e.error()).isEqualTo(FrameError.OVERSIZED));
    ByteBuf negative = Unpooled.buffer().writeInt(-1);
    assertThatThrownBy(() -> codec.decode(negative))
        .isInstanceOfSatisfying(
            FrameException.class, e -> assertThat(e.error()).isEqualTo(FrameError.OVERSIZED));
  }

  @Test
  void encodingAFrameOverTheLimitFailsAndWritesNothing() {
    ByteBuf out = Unpooled.buffer();
    Frame big =
        new Frame(
            1,
            new Message.Response(
                new Result.SequencerResult(
                    ByteString.wrap(new byte[Limits.DEFAULT_MAX_FRAME_BYTES]))));
    assertThatThrownBy(() -> codec.encode(big, out))
        .isInstanceOfSatisfying(
            FrameException.class, e -> assertThat(e.error()).isEqualTo(FrameError.OVERSIZED));
    assertThat(out.readableBytes()).isZero();
  }

  private static FrameError errorOf(FrameCodec codec, ByteBuf bytes) {
    try {
      codec.decodeExactlyOne(bytes);
      return null;
    } catch (FrameException e) {
      return e.error();
    }
  }

  private static ByteBuf frame(int version, int type, byte... body) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeInt(FrameCodec.HEADER_BYTES + body.length).writeByte(version).writeByte(type);
    buf.writeLong(42).writeBytes(body);
    return buf;
  }

  @Test
  void malformedFramesAreRefusedWithSpecificErrors() {
    assertThat(errorOf(codec, Unpooled.buffer().writeInt(3).writeZero(3)))
        .isEqualTo(FrameError.BAD_LENGTH);
    assertThat(errorOf(codec, frame(2, MessageType.FIND_MASTER.code())))
        .isEqualTo(FrameError.UNSUPPORTED_VERSION);
    assertThat(errorOf(codec, frame(1, 99))).isEqualTo(FrameError.UNKNOWN_MESSAGE_TYPE);
    assertThat(errorOf(codec, frame(1, MessageType.FIND_MASTER.code(), (byte) 0)))
        .isEqualTo(FrameError.TRAILING_BYTES);
    assertThat(errorOf(codec, frame(1, MessageType.CREATE_SESSION.code(), (byte) 0)))
        .as("body shorter than its fields")
        .isEqualTo(FrameError.MALFORMED_BODY);
    // A Response holding contents whose length claims 2 GiB: refused, nothing allocated.
    ByteBuf hugeClaim =
        frame(
            1, MessageType.RESPONSE.code(), (byte) 6, (byte) 0x7f, (byte) -1, (byte) -1, (byte) -1);
    assertThat(errorOf(codec, hugeClaim)).isEqualTo(FrameError.MALFORMED_BODY);
    // An Acquire whose lock mode byte is out of range.
    ByteBuf badMode = Unpooled.buffer();
    badMode
        .writeLong(0)
        .writeLong(1)
        .writeLong(1)
        .writeLong(0)
        .writeByte(10)
        .writeLong(5)
        .writeByte(7);
    byte[] body = new byte[badMode.readableBytes()];
    badMode.readBytes(body);
    assertThat(errorOf(codec, frame(1, MessageType.SESSION_REQUEST.code(), body)))
        .isEqualTo(FrameError.MALFORMED_BODY);
  }

  @Test
  void theExampleInProtocolMdIsWhatTheCodecWrites() {
    ByteBuf buf =
        encode(new Frame(1, new Message.SessionRequest(5, 42, 3, 2, new Request.GetStat(7))));
    assertThat(io.netty.buffer.ByteBufUtil.hexDump(buf))
        .isEqualTo(
            "00000033"
                + "01"
                + "02"
                + "0000000000000001"
                + "0000000000000005"
                + "000000000000002a"
                + "0000000000000003"
                + "0000000000000002"
                + "05"
                + "0000000000000007");
  }
}
