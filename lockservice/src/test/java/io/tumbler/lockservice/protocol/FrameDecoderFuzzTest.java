package io.tumbler.lockservice.protocol;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tumbler.lockservice.Limits;

/**
 * Fuzzes the frame decoder: any bytes must either decode or fail with a {@link FrameException};
 * nothing else may escape (no other exception, no out-of-memory from a hostile length), and what
 * decodes must encode back to a frame that decodes to the same value.
 *
 * <p>Under {@code mvn test} it replays the committed corpus in {@code
 * src/test/resources/io/tumbler/lockservice/protocol/FrameDecoderFuzzTestInputs/decode/}; {@code
 * JAZZER_FUZZ=1 ./mvnw -pl lockservice test -Dtest=FrameDecoderFuzzTest} fuzzes for real. It runs
 * in its own surefire execution because Jazzer's agent instruments every class loaded after it.
 */
class FrameDecoderFuzzTest {

  private static final FrameCodec CODEC = new FrameCodec(Limits.DEFAULTS);

  @FuzzTest(maxDuration = "60s")
  void decode(byte[] input) {
    ByteBuf bytes = Unpooled.wrappedBuffer(input);
    Frame frame;
    try {
      frame = CODEC.decodeExactlyOne(bytes);
    } catch (FrameException refused) {
      return;
    }
    ByteBuf again = Unpooled.buffer();
    CODEC.encode(frame, again);
    Frame decodedAgain = CODEC.decodeExactlyOne(again);
    if (!decodedAgain.equals(frame)) {
      throw new IllegalStateException("round trip changed " + frame + " into " + decodedAgain);
    }
  }
}
