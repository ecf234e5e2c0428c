package io.tumbler.lockservice.lock;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.LockMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Proof of holding a lock: which lock (name and node instance), in which mode, at which lock
 * generation. Clients pass it around as opaque bytes; a resource server either asks the cell with
 * CheckSequencer or keeps the highest lock generation it has seen for the lock and refuses older
 * ones.
 *
 * <p>The node instance is part of it because lock generations restart when a node of the same name
 * is created again; without it, an old sequencer could pass for a new holder's.
 *
 * <p>Encoding: {@code 'S'}, version 1, u16 path length, UTF-8 path, i64 instance number, u8 mode (0
 * exclusive, 1 shared), i64 lock generation, u32 CRC32C of everything before it. The checksum
 * catches damaged or made-up bytes early; it is not a secret.
 */
public record Sequencer(String path, long instanceNumber, LockMode mode, long lockGeneration) {

  private static final byte MAGIC = 'S';
  private static final byte VERSION = 1;
  private static final int FIXED_BYTES = 1 + 1 + 2 + 8 + 1 + 8 + 4;

  public Sequencer {
    checkArgument(path != null && mode != null, "path and mode must be set");
  }

  public ByteString encode() {
    byte[] name = path.getBytes(StandardCharsets.UTF_8);
    checkArgument(name.length <= 0xffff, "path too long for a sequencer");
    ByteBuffer out = ByteBuffer.allocate(FIXED_BYTES + name.length);
    out.put(MAGIC).put(VERSION).putShort((short) name.length).put(name);
    out.putLong(instanceNumber).put((byte) mode.ordinal()).putLong(lockGeneration);
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    return ByteString.wrap(out.array());
  }

  /** The sequencer in {@code bytes}, or empty if they are not a well-formed one. */
  public static Optional<Sequencer> decode(ByteString bytes) {
    byte[] raw = bytes.unsafeArray();
    if (raw.length < FIXED_BYTES || raw[0] != MAGIC || raw[1] != VERSION) {
      return Optional.empty();
    }
    ByteBuffer in = ByteBuffer.wrap(raw);
    in.position(2);
    int nameLength = Short.toUnsignedInt(in.getShort());
    if (raw.length != FIXED_BYTES + nameLength) {
      return Optional.empty();
    }
    CRC32C crc = new CRC32C();
    crc.update(raw, 0, raw.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(raw, raw.length - 4, 4).getInt()) {
      return Optional.empty();
    }
    String path = new String(raw, 4, nameLength, StandardCharsets.UTF_8);
    in.position(4 + nameLength);
    long instance = in.getLong();
    int mode = in.get();
    long generation = in.getLong();
    if (mode != 0 && mode != 1) {
      return Optional.empty();
    }
    return Optional.of(new Sequencer(path, instance, LockMode.values()[mode], generation));
  }
}
