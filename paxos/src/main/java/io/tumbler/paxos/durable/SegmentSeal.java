package io.tumbler.paxos.durable;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * What a sealed segment holds: written when the segment stops taking appends (it was full, or its
 * tail was torn by a crash and is cut here). Replay reads exactly {@code recordCount} records from
 * a sealed segment, and anything wrong among them is corruption, not a torn tail.
 *
 * @param firstSequence sequence of the segment's first record
 * @param recordCount records in the segment that count
 * @param maxKey highest record key among them ({@link LogRecord#NO_KEY} if none has a key)
 */
record SegmentSeal(long firstSequence, long recordCount, long maxKey) {

  SegmentSeal {
    checkArgument(
        recordCount > 0, "a sealed segment holds at least one record, was %s", recordCount);
  }

  private static final int MAGIC = 0x54534c31; // "TSL1"
  private static final int BYTES = 4 + 8 + 8 + 8 + 4;

  /** Writes the seal durably: temp file, fsync, rename, fsync of the directory. */
  void write(Path file) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(BYTES);
    buffer.putInt(MAGIC).putLong(firstSequence).putLong(recordCount).putLong(maxKey);
    CRC32C crc = new CRC32C();
    crc.update(buffer.array(), 0, buffer.position());
    buffer.putInt((int) crc.getValue()).flip();
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Directories.fsync(file.getParent());
  }

  static SegmentSeal read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length != BYTES) {
      throw new CorruptLogException(
          file + ": seal is " + bytes.length + " bytes, expected " + BYTES);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, BYTES - 4);
    int magic = buffer.getInt();
    long firstSequence = buffer.getLong();
    long recordCount = buffer.getLong();
    long maxKey = buffer.getLong();
    // Check before building: the constructor's own checks would turn damage into the wrong error.
    if (magic != MAGIC || (int) crc.getValue() != buffer.getInt()) {
      throw new CorruptLogException(file + ": seal fails its checksum");
    }
    if (recordCount <= 0) {
      throw new CorruptLogException(file + ": seal counts " + recordCount + " records");
    }
    return new SegmentSeal(firstSequence, recordCount, maxKey);
  }
}
