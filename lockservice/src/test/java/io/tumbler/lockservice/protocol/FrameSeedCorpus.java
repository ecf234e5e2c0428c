package io.tumbler.lockservice.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tumbler.lockservice.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the fuzz test's seed corpus: a few valid frames of every message type and a few broken
 * ones. Run it (from {@code lockservice/}, with the test classpath) after changing the protocol,
 * and commit the result.
 */
public final class FrameSeedCorpus {
  private FrameSeedCorpus() {}

  public static void main(String[] args) throws IOException {
    Path dir =
        Path.of(
            args.length > 0
                ? args[0]
                : "src/test/resources/io/tumbler/lockservice/protocol/FrameDecoderFuzzTestInputs/decode");
    Files.createDirectories(dir);
    FrameCodec codec = new FrameCodec(Limits.DEFAULTS);
    RandomMessages random = new RandomMessages(7);
    int i = 0;
    for (MessageType type : MessageType.values()) {
      for (int k = 0; k < 3; k++) {
        ByteBuf buf = Unpooled.buffer();
        codec.encode(new Frame(k, random.message(type)), buf);
        byte[] bytes = ByteBufUtil.getBytes(buf);
        if (bytes.length < 2048) { // small seeds mutate faster
          Files.write(
              dir.resolve(String.format("%02d-%s-%d", ++i, type.name().toLowerCase(), k)), bytes);
        }
      }
    }
    Files.write(dir.resolve("90-empty"), new byte[0]);
    Files.write(dir.resolve("91-oversized-length"), new byte[] {0x7f, -1, -1, -1, 1, 4});
    Files.write(dir.resolve("92-short-length"), new byte[] {0, 0, 0, 2, 1, 4});
    Files.write(
        dir.resolve("93-bad-version"), new byte[] {0, 0, 0, 10, 9, 4, 0, 0, 0, 0, 0, 0, 0, 1});
  }
}
