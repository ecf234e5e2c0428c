package io.tumbler.lockservice.protocol;

import io.netty.buffer.ByteBuf;

/**
 * The length prefix every Tumbler frame starts with, on the client port and the peer port alike: a
 * big-endian u32 counting the bytes after it. Oversized and impossibly short frames are refused
 * from the prefix alone, before their bodies arrive, so a hostile length costs nothing.
 */
public final class LengthPrefixedFrames {

  public static final int LENGTH_BYTES = 4;

  private LengthPrefixedFrames() {}

  /** Reserves the length field of a frame about to be written; returns where the frame starts. */
  public static int begin(ByteBuf out) {
    int start = out.writerIndex();
    out.writeInt(0);
    return start;
  }

  /**
   * Fills in the length of the frame begun at {@code start}.
   *
   * @throws FrameException OVERSIZED if the frame, prefix included, exceeds {@code maxFrameBytes};
   *     the frame is then removed from {@code out}
   */
  public static void end(ByteBuf out, int start, int maxFrameBytes, String kind) {
    int length = out.writerIndex() - start - LENGTH_BYTES;
    if (length + LENGTH_BYTES > maxFrameBytes) {
      out.writerIndex(start);
      throw new FrameException(
          FrameError.OVERSIZED,
          String.format(
              "%s frame of %d bytes exceeds the maximum of %d",
              kind, length + LENGTH_BYTES, maxFrameBytes));
    }
    out.setInt(start, length);
  }

  /**
   * Takes the next whole frame out of {@code in} and returns its bytes after the length field, or
   * returns null, consuming nothing, if it has not all arrived.
   *
   * @throws FrameException OVERSIZED or BAD_LENGTH from the length field alone
   */
  public static ByteBuf next(ByteBuf in, int maxFrameBytes, int headerBytes) {
    if (in.readableBytes() < LENGTH_BYTES) {
      return null;
    }
    long length = in.getUnsignedInt(in.readerIndex());
    if (length + LENGTH_BYTES > maxFrameBytes) {
      throw new FrameException(
          FrameError.OVERSIZED,
          String.format("length %d exceeds the maximum frame of %d", length, maxFrameBytes));
    }
    if (length < headerBytes) {
      throw new FrameException(
          FrameError.BAD_LENGTH,
          String.format("length %d is shorter than the %d-byte header", length, headerBytes));
    }
    if (in.readableBytes() < LENGTH_BYTES + length) {
      return null;
    }
    in.skipBytes(LENGTH_BYTES);
    return in.readSlice((int) length);
  }
}
