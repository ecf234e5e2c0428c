package io.tumbler.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.Message;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MasterAddressRewriterTest {

  private final FrameCodec codec = new FrameCodec(Limits.DEFAULTS);
  private final Map<String, String> proxies =
      Map.of("127.0.0.1:1001", "127.0.0.1:2001", "127.0.0.1:1002", "127.0.0.1:2002");

  private ByteBuf encode(Message... messages) {
    ByteBuf out = Unpooled.buffer();
    long correlation = 1;
    for (Message m : messages) {
      codec.encode(new Frame(correlation++, m), out);
    }
    return out;
  }

  /** Feeds {@code in} in two arbitrary pieces and decodes everything that comes out. */
  private List<Frame> relay(ByteBuf in, int splitAt) {
    EmbeddedChannel channel = new EmbeddedChannel(new MasterAddressRewriter(proxies));
    channel.writeInbound(in.readRetainedSlice(Math.min(splitAt, in.readableBytes())));
    channel.writeInbound(in.readRetainedSlice(in.readableBytes()));
    ByteBuf all = Unpooled.buffer();
    for (ByteBuf b; (b = channel.readInbound()) != null; ) {
      all.writeBytes(b);
      b.release();
    }
    List<Frame> frames = new java.util.ArrayList<>();
    for (Frame f; (f = codec.decode(all)) != null; ) {
      frames.add(f);
    }
    channel.finishAndReleaseAll();
    return frames;
  }

  @Test
  void aMasterNamingItselfByItsRealAddressIsNamedByItsProxy() {
    ByteBuf in =
        encode(
            new Message.MasterLocation(
                "127.0.0.1:1001", 7, List.of("127.0.0.1:1001", "127.0.0.1:2002")),
            new Message.Redirect(ErrorCode.NOT_MASTER, "127.0.0.1:1002", 7),
            new Message.FindMaster());
    for (int split : new int[] {0, 3, 9, 20, in.readableBytes() - 1}) {
      List<Frame> out = relay(in.duplicate(), split);
      assertThat(out).hasSize(3);
      assertThat(out.get(0).message())
          .isEqualTo(
              new Message.MasterLocation(
                  "127.0.0.1:2001", 7, List.of("127.0.0.1:2001", "127.0.0.1:2002")));
      assertThat(out.get(0).correlationId()).isEqualTo(1);
      assertThat(out.get(1).message())
          .isEqualTo(new Message.Redirect(ErrorCode.NOT_MASTER, "127.0.0.1:2002", 7));
      assertThat(out.get(2).message()).isEqualTo(new Message.FindMaster());
    }
  }

  @Test
  void unknownAddressesAndAnEmptyMasterStayAsTheyAre() {
    ByteBuf in = encode(new Message.MasterLocation("", 3, List.of("10.0.0.1:9")));
    List<Frame> out = relay(in, 5);
    assertThat(out.get(0).message())
        .isEqualTo(new Message.MasterLocation("", 3, List.of("10.0.0.1:9")));
  }
}
