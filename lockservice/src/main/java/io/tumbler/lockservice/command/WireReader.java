package io.tumbler.lockservice.command;

import io.netty.buffer.ByteBuf;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * Checked reads from a {@link ByteBuf}: every length is compared with both the bytes actually
 * present and a limit before anything is allocated, so hostile input costs at most what it sent.
 */
public final class WireReader {

  private final ByteBuf in;

  public WireReader(ByteBuf in) {
    this.in = in;
  }

  public ByteBuf buffer() {
    return in;
  }

  private void need(int bytes, String what) {
    if (in.readableBytes() < bytes) {
      throw new MalformedInputException(
          "truncated: %s needs %d bytes, %d left", what, bytes, in.readableBytes());
    }
  }

  public byte readByte(String what) {
    need(1, what);
    return in.readByte();
  }

  public int readUnsignedByte(String what) {
    need(1, what);
    return in.readUnsignedByte();
  }

  public int readInt(String what) {
    need(4, what);
    return in.readInt();
  }

  public long readLong(String what) {
    need(8, what);
    return in.readLong();
  }

  public boolean readBoolean(String what) {
    int b = readUnsignedByte(what);
    if (b > 1) {
      throw new MalformedInputException("%s: boolean byte %d", what, b);
    }
    return b == 1;
  }

  /** A length or count in {@code [0, max]}. */
  public int readLength(String what, int max) {
    int n = readInt(what);
    if (n < 0 || n > max) {
      throw new MalformedInputException("%s: length %d outside [0, %d]", what, n, max);
    }
    return n;
  }

  public byte[] readBytes(String what, int maxBytes) {
    int n = readLength(what, maxBytes);
    need(n, what);
    byte[] out = new byte[n];
    in.readBytes(out);
    return out;
  }

  public ByteString readByteString(String what, int maxBytes) {
    return ByteString.wrap(readBytes(what, maxBytes));
  }

  public String readString(String what, int maxBytes) {
    int n = readLength(what, maxBytes);
    need(n, what);
    int start = in.readerIndex();
    if (in.forEachByte(start, n, b -> b >= 0) == -1) { // all ASCII: valid UTF-8 as it is
      String ascii = in.toString(start, n, StandardCharsets.US_ASCII);
      in.skipBytes(n);
      return ascii;
    }
    String s;
    try {
      // Strict: a string that is not valid UTF-8 is refused, never silently replaced.
      s = StandardCharsets.UTF_8.newDecoder().decode(in.nioBuffer(in.readerIndex(), n)).toString();
    } catch (CharacterCodingException e) {
      throw new MalformedInputException("%s: not valid UTF-8", what);
    }
    in.skipBytes(n);
    return s;
  }

  public <E extends Enum<E>> E readEnum(String what, E[] values) {
    int ordinal = readUnsignedByte(what);
    if (ordinal >= values.length) {
      throw new MalformedInputException("%s: unknown value %d", what, ordinal);
    }
    return values[ordinal];
  }

  /** A set of enum constants as a bit mask; bits beyond the known constants are refused. */
  public int readBits(String what, int constants) {
    int bits = readUnsignedByte(what);
    if ((bits >>> constants) != 0) {
      throw new MalformedInputException("%s: unknown bits in 0x%02x", what, bits);
    }
    return bits;
  }
}
