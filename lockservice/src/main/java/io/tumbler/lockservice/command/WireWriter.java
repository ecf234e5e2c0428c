package io.tumbler.lockservice.command;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.util.Set;

/** Writes the primitives that {@link WireReader} reads. Lengths are 32-bit big-endian. */
public final class WireWriter {

  private final ByteBuf out;

  public WireWriter(ByteBuf out) {
    this.out = out;
  }

  public ByteBuf buffer() {
    return out;
  }

  public WireWriter writeByte(int b) {
    out.writeByte(b);
    return this;
  }

  public WireWriter writeInt(int i) {
    out.writeInt(i);
    return this;
  }

  public WireWriter writeLong(long l) {
    out.writeLong(l);
    return this;
  }

  public WireWriter writeBoolean(boolean b) {
    out.writeByte(b ? 1 : 0);
    return this;
  }

  public WireWriter writeBytes(byte[] bytes) {
    out.writeInt(bytes.length);
    out.writeBytes(bytes);
    return this;
  }

  public WireWriter writeByteString(ByteString bytes) {
    return writeBytes(bytes.unsafeArray());
  }

  public WireWriter writeString(String s) {
    int lengthAt = out.writerIndex();
    out.writeInt(0);
    int written = ByteBufUtil.writeUtf8(out, s);
    out.setInt(lengthAt, written);
    return this;
  }

  public WireWriter writeEnum(Enum<?> e) {
    out.writeByte(e.ordinal());
    return this;
  }

  public <E extends Enum<E>> WireWriter writeBits(Set<E> set) {
    int bits = 0;
    for (E e : set) {
      bits |= 1 << e.ordinal();
    }
    out.writeByte(bits);
    return this;
  }
}
