package io.tumbler.paxos.durable;

import io.tumbler.paxos.SnapshotRef;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A committed snapshot file whose header and trailer have been checked. Its body is checked again
 * while it is read: {@link #openBody()} fails at the end of the body if the bytes changed since.
 */
public final class StoredSnapshot {

  private static final int READ_BUFFER_BYTES = 64 * 1024;

  private final Path file;
  private final long index;
  private final byte[] metadata;
  private final long bodyOffset;
  private final long bodyLength;
  private final int bodyChecksum;

  StoredSnapshot(
      Path file, long index, byte[] metadata, long bodyOffset, long bodyLength, int bodyChecksum) {
    this.file = file;
    this.index = index;
    this.metadata = metadata;
    this.bodyOffset = bodyOffset;
    this.bodyLength = bodyLength;
    this.bodyChecksum = bodyChecksum;
  }

  public Path file() {
    return file;
  }

  /** The log index the snapshot covers: every entry up to and including it is in the snapshot. */
  public long index() {
    return index;
  }

  /** What the replica stored beside the body (ballot, epoch, membership); opaque here. */
  public byte[] metadata() {
    return metadata.clone();
  }

  public long bodyLength() {
    return bodyLength;
  }

  long bodyOffset() {
    return bodyOffset;
  }

  /** The body's CRC32C, as the trailer records it. */
  public int bodyChecksum() {
    return bodyChecksum;
  }

  /** What the Paxos core knows of this snapshot. */
  public SnapshotRef ref() {
    return new SnapshotRef(index, bodyLength, bodyChecksum);
  }

  /**
   * Reads {@code length} bytes of the body from {@code offset}, to send as one chunk. Not checked
   * against the body's checksum here: the receiver checks the whole body before it installs it.
   */
  public byte[] readBody(long offset, int length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > bodyLength) {
      throw new IllegalArgumentException(
          "chunk [" + offset + ", +" + length + ") beyond a body of " + bodyLength + " bytes");
    }
    ByteBuffer buffer = ByteBuffer.allocate(length);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, bodyOffset + offset + buffer.position());
        if (n < 0) {
          throw new CorruptSnapshotException(file, "body ends early");
        }
      }
    }
    return buffer.array();
  }

  /**
   * Streams the body. The stream throws {@link CorruptSnapshotException} when it reaches the end if
   * the body's checksum does not match the trailer, so a reader that restores from it must treat
   * the restore as failed unless it read to the end without an exception.
   */
  public InputStream openBody() throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    channel.position(bodyOffset);
    return new BufferedInputStream(
        new CheckedBody(Channels.newInputStream(channel), bodyLength, bodyChecksum, file),
        READ_BUFFER_BYTES);
  }

  @Override
  public String toString() {
    return "snapshot " + index + " (" + bodyLength + " bytes) at " + file;
  }

  /** Limits reading to the body and checks its CRC32C when the last byte has been read. */
  private static final class CheckedBody extends InputStream {
    private final InputStream in;
    private final int expectedCrc;
    private final Path file;
    private final CRC32C crc = new CRC32C();
    private long remaining;

    CheckedBody(InputStream in, long length, int expectedCrc, Path file) {
      this.in = in;
      this.remaining = length;
      this.expectedCrc = expectedCrc;
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
      if (remaining == 0) {
        return -1;
      }
      int n = in.read(bytes, offset, (int) Math.min(length, remaining));
      if (n < 0) {
        throw new CorruptSnapshotException(file, "body ends " + remaining + " bytes early");
      }
      crc.update(bytes, offset, n);
      remaining -= n;
      if (remaining == 0 && (int) crc.getValue() != expectedCrc) {
        throw new CorruptSnapshotException(file, "body checksum mismatch");
      }
      return n;
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
