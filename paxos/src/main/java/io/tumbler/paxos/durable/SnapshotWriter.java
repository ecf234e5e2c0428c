package io.tumbler.paxos.durable;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.tumbler.paxos.SnapshotRef;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Writes one snapshot: to a temporary file first, then, on {@link #commit()}, fsync, atomic rename
 * and fsync of the directory. Until the commit returns, a crash leaves at most a temporary file,
 * which {@link SnapshotStore#scan()} deletes; a reader never sees a half-written snapshot under its
 * final name.
 *
 * <p>The body is streamed: callers write it in chunks (a snapshot received from the master) or
 * through {@link #asOutputStream()} (a state machine writing its own snapshot), never as one array.
 * Closing without committing discards the temporary file. A snapshot being received has its own
 * temporary name ({@code snapshot-<index>.snap.incoming.tmp}).
 */
public final class SnapshotWriter implements AutoCloseable {

  private static final int STREAM_BUFFER_BYTES = 64 * 1024;

  private final Path directory;
  private final Path temp;
  private final Path target;
  private final long index;
  private final byte[] metadata;
  private final FileChannel channel;
  private final CRC32C bodyCrc = new CRC32C();
  private long bodyLength;
  private boolean finished;

  private SnapshotWriter(
      Path directory, Path temp, Path target, long index, byte[] metadata, FileChannel channel) {
    this.directory = directory;
    this.temp = temp;
    this.target = target;
    this.index = index;
    this.metadata = metadata;
    this.channel = channel;
  }

  static SnapshotWriter begin(Path directory, long index, byte[] metadata, boolean incoming)
      throws IOException {
    checkArgument(index >= 0, "snapshot index must be >= 0, was %s", index);
    checkArgument(
        metadata.length <= SnapshotFormat.MAX_METADATA_BYTES,
        "snapshot metadata is %s bytes, more than the limit of %s",
        metadata.length,
        SnapshotFormat.MAX_METADATA_BYTES);
    String name = SnapshotFormat.fileName(index);
    Path temp =
        directory.resolve(
            name + (incoming ? SnapshotFormat.INCOMING_SUFFIX : "") + SnapshotFormat.TEMP_SUFFIX);
    FileChannel channel =
        FileChannel.open(
            temp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    SnapshotWriter writer =
        new SnapshotWriter(
            directory, temp, directory.resolve(name), index, metadata.clone(), channel);
    try {
      writer.writeHeader();
    } catch (IOException | RuntimeException e) {
      writer.close();
      throw e;
    }
    return writer;
  }

  private void writeHeader() throws IOException {
    ByteBuffer header = ByteBuffer.allocate(SnapshotFormat.headerBytes(metadata.length));
    header
        .put(SnapshotFormat.HEADER_MAGIC)
        .putInt(SnapshotFormat.FORMAT_VERSION)
        .putLong(index)
        .putInt(metadata.length)
        .put(metadata);
    CRC32C headerCrc = new CRC32C();
    headerCrc.update(header.array(), 0, header.position());
    header.putInt((int) headerCrc.getValue()).flip();
    writeFully(header);
  }

  public long index() {
    return index;
  }

  /** Body bytes written so far. */
  public long bodyLength() {
    return bodyLength;
  }

  /** Appends a chunk of the body. */
  public void write(ByteBuffer chunk) throws IOException {
    checkState(!finished, "snapshot writer is already committed or closed");
    bodyCrc.update(chunk.duplicate());
    bodyLength += chunk.remaining();
    writeFully(chunk);
  }

  /** Appends {@code length} bytes of {@code bytes} from {@code offset} to the body. */
  public void write(byte[] bytes, int offset, int length) throws IOException {
    write(ByteBuffer.wrap(bytes, offset, length));
  }

  /**
   * A buffered stream over the body, for a state machine's {@code snapshot(OutputStream)}. Flush or
   * close it before {@link #commit()}; closing it does not commit.
   */
  public OutputStream asOutputStream() {
    OutputStream raw =
        new OutputStream() {
          @Override
          public void write(int b) throws IOException {
            SnapshotWriter.this.write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] bytes, int offset, int length) throws IOException {
            SnapshotWriter.this.write(bytes, offset, length);
          }
        };
    return new BufferedOutputStream(raw, STREAM_BUFFER_BYTES);
  }

  /**
   * Seals the snapshot: writes the trailer, forces the file to disk, renames it to its final name
   * and forces the directory. Only when this returns is the snapshot durable.
   */
  public StoredSnapshot commit() throws IOException {
    return commit(null);
  }

  /**
   * Like {@link #commit()}, for a snapshot received from another replica: refuses (and discards) a
   * body whose length or CRC32C differs from what the sender announced.
   *
   * @throws CorruptSnapshotException if the body does not match {@code expected}
   */
  public StoredSnapshot commitExpecting(SnapshotRef expected) throws IOException {
    return commit(expected);
  }

  private StoredSnapshot commit(SnapshotRef expected) throws IOException {
    checkState(!finished, "snapshot writer is already committed or closed");
    try {
      if (expected != null
          && (expected.index() != index
              || expected.lengthBytes() != bodyLength
              || expected.checksum() != (int) bodyCrc.getValue())) {
        throw new CorruptSnapshotException(
            temp,
            "received body of "
                + bodyLength
                + " bytes, CRC32C "
                + Integer.toHexString((int) bodyCrc.getValue())
                + ", does not match "
                + expected);
      }
      ByteBuffer trailer = ByteBuffer.allocate(SnapshotFormat.TRAILER_BYTES);
      trailer
          .putLong(bodyLength)
          .putInt((int) bodyCrc.getValue())
          .put(SnapshotFormat.TRAILER_MAGIC)
          .flip();
      writeFully(trailer);
      channel.force(true);
      channel.close();
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Directories.fsync(directory);
      finished = true;
      return new StoredSnapshot(
          target,
          index,
          metadata,
          SnapshotFormat.headerBytes(metadata.length),
          bodyLength,
          (int) bodyCrc.getValue());
    } finally {
      if (!finished) {
        close();
      }
    }
  }

  /** Discards the snapshot unless it was committed. */
  @Override
  public void close() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    try {
      channel.close();
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private void writeFully(ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }
}
