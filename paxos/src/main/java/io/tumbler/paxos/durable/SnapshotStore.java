package io.tumbler.paxos.durable;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.storage.SnapshotFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The snapshot files of one replica, in one directory ({@link SnapshotFormat} describes a file).
 *
 * <p>Every file is checked in full (header checksum, trailer, body checksum, and that the index in
 * its name matches its header) before it is offered to a reader; a file that fails is reported,
 * never loaded. Lengths read from a file are checked against the file's size before anything is
 * allocated from them.
 *
 * <p>As {@link SnapshotFiles} it is what a replica's driver uses beside its storage thread: writing
 * the application's snapshot, reading chunks of a stored snapshot to send, streaming one into the
 * application. Those need no state beyond the directory, so one thread may do them while another
 * owns the {@link ChronicleStorage} over the same directory: the storage only ever deletes
 * committed snapshots older than its newest, and never a temporary file while it runs.
 */
public final class SnapshotStore implements SnapshotFiles {

  private static final int VERIFY_BUFFER_BYTES = 64 * 1024;

  private final Path directory;

  /** Opens (creating if needed) the snapshot directory. */
  public SnapshotStore(Path directory) throws IOException {
    this.directory = directory;
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(directory);
      Directories.fsync(directory.toAbsolutePath().getParent());
    }
  }

  public Path directory() {
    return directory;
  }

  /** Starts writing the snapshot that covers the log up to and including {@code index}. */
  public SnapshotWriter begin(long index, byte[] metadata) throws IOException {
    return SnapshotWriter.begin(directory, index, metadata, false);
  }

  /**
   * Starts writing a snapshot received from another replica, under a temporary name of its own
   * ({@code snapshot-<index>.snap.incoming.tmp}); commit it with {@link
   * SnapshotWriter#commitExpecting}.
   */
  public SnapshotWriter beginIncoming(long index, byte[] metadata) throws IOException {
    return SnapshotWriter.begin(directory, index, metadata, true);
  }

  /** The metadata a replica writes beside a snapshot: the ballot it had promised, for diagnosis. */
  public static byte[] metadataFor(Ballot promised) {
    return ByteBuffer.allocate(8 + 4)
        .putLong(promised.counter())
        .putInt(promised.replicaId())
        .array();
  }

  // ---- SnapshotFiles ----

  @Override
  public SnapshotRef write(long index, Ballot promised, BodyWriter body) throws IOException {
    try (SnapshotWriter writer = begin(index, metadataFor(promised))) {
      OutputStream out = writer.asOutputStream();
      body.writeTo(out);
      out.flush();
      return writer.commit().ref();
    }
  }

  @Override
  public Optional<byte[]> read(SnapshotRef snapshot, long offset, int length) throws IOException {
    Optional<StoredSnapshot> stored = find(snapshot.index());
    if (stored.isEmpty() || !stored.get().ref().equals(snapshot)) {
      return Optional.empty();
    }
    try {
      return Optional.of(stored.get().readBody(offset, length));
    } catch (NoSuchFileException e) {
      return Optional.empty(); // deleted since it was found
    }
  }

  @Override
  public InputStream open(SnapshotRef snapshot) throws IOException {
    Optional<StoredSnapshot> stored = find(snapshot.index());
    if (stored.isEmpty()) {
      throw new NoSuchFileException(
          directory.resolve(SnapshotFormat.fileName(snapshot.index())).toString(),
          null,
          "no stored snapshot " + snapshot);
    }
    if (!stored.get().ref().equals(snapshot)) {
      throw new CorruptSnapshotException(
          stored.get().file(), "holds " + stored.get().ref() + ", not " + snapshot);
    }
    return stored.get().openBody();
  }

  /**
   * The committed snapshot at {@code index}, with its header and trailer checked but not its body
   * (which is checked as it is streamed, or by the receiver of its chunks); empty if there is none.
   *
   * @throws CorruptSnapshotException if the file is there but fails a check
   */
  public Optional<StoredSnapshot> find(long index) throws IOException {
    Path file = directory.resolve(SnapshotFormat.fileName(index));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return Optional.of(inspect(channel, file));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** What {@link #scan()} found. */
  public record Scan(Optional<StoredSnapshot> newest, List<String> rejected) {
    public Scan {
      rejected = ImmutableList.copyOf(rejected);
    }
  }

  /**
   * Finds the newest snapshot that passes every check, and deletes temporary files left by a crash
   * during a write. Files that fail a check are listed in {@link Scan#rejected()} with the reason
   * and left in place for an operator to inspect. Whether an older snapshot is still usable (the
   * log must continue from it) is the caller's decision.
   */
  public Scan scan() throws IOException {
    List<Path> snapshots = new ArrayList<>();
    boolean deletedTemp = false;
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        String name = file.getFileName().toString();
        if (!name.startsWith(SnapshotFormat.FILE_PREFIX)) {
          continue;
        }
        if (name.endsWith(SnapshotFormat.TEMP_SUFFIX)) {
          Files.delete(file);
          deletedTemp = true;
        } else if (name.endsWith(SnapshotFormat.FILE_SUFFIX)) {
          snapshots.add(file);
        }
      }
    }
    if (deletedTemp) {
      Directories.fsync(directory);
    }
    snapshots.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed());
    List<String> rejected = new ArrayList<>();
    for (Path file : snapshots) {
      try {
        return new Scan(Optional.of(open(file)), rejected);
      } catch (CorruptSnapshotException e) {
        rejected.add(e.getMessage());
      }
    }
    return new Scan(Optional.empty(), rejected);
  }

  /**
   * Checks a snapshot file in full and returns it.
   *
   * @throws CorruptSnapshotException if any check fails
   */
  public StoredSnapshot open(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      StoredSnapshot snapshot = inspect(channel, file);
      verifyBody(channel, snapshot);
      return snapshot;
    }
  }

  /** Checks a snapshot file's header and trailer, not its body. */
  private static StoredSnapshot inspect(FileChannel channel, Path file) throws IOException {
    long size = channel.size();
    int smallest =
        SnapshotFormat.FIXED_HEADER_BYTES
            + SnapshotFormat.HEADER_CRC_BYTES
            + SnapshotFormat.TRAILER_BYTES;
    if (size < smallest) {
      throw new CorruptSnapshotException(
          file, "file is " + size + " bytes, shorter than the smallest snapshot");
    }
    ByteBuffer fixed = readAt(channel, 0, SnapshotFormat.FIXED_HEADER_BYTES);
    byte[] magic = new byte[SnapshotFormat.HEADER_MAGIC.length];
    fixed.get(magic);
    if (!Arrays.equals(magic, SnapshotFormat.HEADER_MAGIC)) {
      throw new CorruptSnapshotException(file, "not a snapshot file (bad magic)");
    }
    int version = fixed.getInt();
    if (version != SnapshotFormat.FORMAT_VERSION) {
      throw new CorruptSnapshotException(
          file,
          "format version " + version + ", this build reads " + SnapshotFormat.FORMAT_VERSION);
    }
    long index = fixed.getLong();
    int metadataLength = fixed.getInt();
    if (metadataLength < 0
        || metadataLength > SnapshotFormat.MAX_METADATA_BYTES
        || SnapshotFormat.headerBytes(metadataLength) + SnapshotFormat.TRAILER_BYTES > size) {
      throw new CorruptSnapshotException(file, "impossible metadata length " + metadataLength);
    }
    ByteBuffer rest =
        readAt(
            channel,
            SnapshotFormat.FIXED_HEADER_BYTES,
            metadataLength + SnapshotFormat.HEADER_CRC_BYTES);
    byte[] metadata = new byte[metadataLength];
    rest.get(metadata);
    CRC32C headerCrc = new CRC32C();
    headerCrc.update(fixed.flip());
    headerCrc.update(metadata);
    if ((int) headerCrc.getValue() != rest.getInt()) {
      throw new CorruptSnapshotException(file, "header checksum mismatch");
    }
    OptionalLong indexInName = indexOf(file);
    if (indexInName.isEmpty() || indexInName.getAsLong() != index) {
      throw new CorruptSnapshotException(
          file, "header says index " + index + " but the file name does not");
    }
    long bodyOffset = SnapshotFormat.headerBytes(metadataLength);
    long bodyLength = checkTrailer(channel, file, bodyOffset);
    int bodyChecksum = readTrailerCrc(channel);
    return new StoredSnapshot(file, index, metadata, bodyOffset, bodyLength, bodyChecksum);
  }

  /**
   * Deletes every committed snapshot older than {@code newest} except those in {@code keep}, then
   * forces the directory. Snapshots newer than {@code newest} (one being reported right now by
   * another thread) and temporary files are never touched.
   */
  public void deleteOlderThan(long newest, Set<Long> keep) throws IOException {
    checkArgument(newest >= 0, "newest must be >= 0, was %s", newest);
    boolean deleted = false;
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        OptionalLong fileIndex = indexOf(file);
        if (fileIndex.isPresent()
            && fileIndex.getAsLong() < newest
            && !keep.contains(fileIndex.getAsLong())) {
          Files.delete(file);
          deleted = true;
        }
      }
    }
    if (deleted) {
      Directories.fsync(directory);
    }
  }

  private static OptionalLong indexOf(Path file) {
    String name = file.getFileName().toString();
    if (!name.startsWith(SnapshotFormat.FILE_PREFIX)
        || !name.endsWith(SnapshotFormat.FILE_SUFFIX)) {
      return OptionalLong.empty();
    }
    String digits =
        name.substring(
            SnapshotFormat.FILE_PREFIX.length(),
            name.length() - SnapshotFormat.FILE_SUFFIX.length());
    if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(digits));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** Checks the trailer and returns the body length it records. */
  private static long checkTrailer(FileChannel channel, Path file, long bodyOffset)
      throws IOException {
    long size = channel.size();
    ByteBuffer trailer =
        readAt(channel, size - SnapshotFormat.TRAILER_BYTES, SnapshotFormat.TRAILER_BYTES);
    long bodyLength = trailer.getLong();
    trailer.getInt();
    byte[] magic = new byte[SnapshotFormat.TRAILER_MAGIC.length];
    trailer.get(magic);
    if (!Arrays.equals(magic, SnapshotFormat.TRAILER_MAGIC)) {
      throw new CorruptSnapshotException(file, "no trailer (truncated or unfinished)");
    }
    long expectedLength = size - bodyOffset - SnapshotFormat.TRAILER_BYTES;
    if (bodyLength != expectedLength) {
      throw new CorruptSnapshotException(
          file, "trailer says body is " + bodyLength + " bytes, file holds " + expectedLength);
    }
    return bodyLength;
  }

  private static int readTrailerCrc(FileChannel channel) throws IOException {
    ByteBuffer trailer =
        readAt(
            channel, channel.size() - SnapshotFormat.TRAILER_BYTES, SnapshotFormat.TRAILER_BYTES);
    trailer.getLong();
    return trailer.getInt();
  }

  private static void verifyBody(FileChannel channel, StoredSnapshot snapshot) throws IOException {
    Path file = snapshot.file();
    long offset = snapshot.bodyOffset();
    long length = snapshot.bodyLength();
    CRC32C crc = new CRC32C();
    ByteBuffer buffer = ByteBuffer.allocate(VERIFY_BUFFER_BYTES);
    long position = offset;
    long end = offset + length;
    while (position < end) {
      buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw new CorruptSnapshotException(file, "body ends early");
      }
      position += n;
      crc.update(buffer.flip());
    }
    if ((int) crc.getValue() != snapshot.bodyChecksum()) {
      throw new CorruptSnapshotException(file, "body checksum mismatch");
    }
  }

  private static ByteBuffer readAt(FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new IOException("unexpected end of file at " + (position + buffer.position()));
      }
    }
    return buffer.flip();
  }
}
