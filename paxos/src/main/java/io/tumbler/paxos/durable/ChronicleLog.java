package io.tumbler.paxos.durable;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.SyncMode;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * An append-only log of checksummed records on Chronicle Queue, with group commit and whole-segment
 * compaction. It knows nothing of Paxos: a record is a key (a slot, or {@link LogRecord#NO_KEY})
 * and bytes.
 *
 * <h2>Layout</h2>
 *
 * The directory holds segments, each a Chronicle queue of its own, {@code segment-<first
 * sequence>/}, and for every segment that no longer takes appends a seal file {@code segment-<first
 * sequence>.seal} ({@link SegmentSeal}). Exactly one segment, the newest, is active. A Chronicle
 * queue cannot be truncated, so the log cuts a torn tail by sealing the segment at its last good
 * record, and frees space by deleting whole sealed segments.
 *
 * <h2>Records</h2>
 *
 * Each record is one Chronicle document: payload length (int), CRC32C over key and payload (int),
 * key (long), payload. A record whose length, checksum or framing is wrong is bad.
 *
 * <h2>Durability</h2>
 *
 * {@link #append} makes a record visible but not durable; {@link #sync} makes every record appended
 * so far durable with one {@code msync(MS_SYNC)} (group commit) and returns the highest durable
 * sequence. Only records at or below it may be acknowledged. After any write or sync failure the
 * log is failed: every later call throws {@link LogFailedException}. Chronicle writes through
 * memory-mapped files, so a full disk surfaces as the JVM's {@link InternalError} for a fault in a
 * mapped write (SIGBUS), not as an {@code IOException}; it is treated as a failed write.
 *
 * <h2>Recovery</h2>
 *
 * Opening replays every record in order. The active segment of the previous run may end in a torn
 * record (a crash during a write): it is sealed at its last good record, and what follows is never
 * returned — none of it was durable, because a sync covers everything before it. Every open starts
 * a new active segment, so nothing is ever appended after a crash's debris. A bad record inside a
 * sealed segment, or a gap between segments, cannot come from a crash: opening fails with {@link
 * CorruptLogException}.
 *
 * <p>Each new segment begins with the records the {@code preamble} supplies (for Paxos, the current
 * promise), so that deleting older segments never loses state that has no key.
 *
 * <p>One thread owns a log: Chronicle's appender is single-threaded.
 */
public final class ChronicleLog implements AutoCloseable {

  static final int RECORD_HEADER_BYTES = 4 + 4 + 8;

  private static final String SEGMENT_PREFIX = "segment-";
  private static final String SEAL_SUFFIX = ".seal";
  private static final String DELETING_SUFFIX = ".deleting";

  /** What opening found. */
  public record Recovery(
      int segments, long recordsReplayed, long nextSequence, Optional<String> tornTail) {}

  private final Path directory;
  private final LogOptions options;
  private final Supplier<List<byte[]>> preamble;
  private final Deque<SegmentSeal> sealed = new ArrayDeque<>();

  private SingleChronicleQueue queue;
  private ExcerptAppender appender;
  private long activeFirstSequence;
  private long activeCount;
  private long activeMaxKey = LogRecord.NO_KEY;
  private boolean activeDirectorySynced;
  private long nextSequence = 1;
  private long durableThrough;
  private LogFailedException failure;
  private Recovery recovery;

  private ChronicleLog(Path directory, LogOptions options, Supplier<List<byte[]>> preamble) {
    this.directory = directory;
    this.options = options;
    this.preamble = preamble;
  }

  /**
   * Opens (creating if needed) the log in {@code directory}, hands every good record to {@code
   * replay} in sequence order, and starts a new active segment.
   *
   * @param preamble records to write at the start of every new segment
   * @throws CorruptLogException if a sealed segment is damaged or segments are missing
   */
  public static ChronicleLog open(
      Path directory,
      LogOptions options,
      Supplier<List<byte[]>> preamble,
      Consumer<LogRecord> replay)
      throws IOException {
    if (!Files.isDirectory(directory)) {
      Files.createDirectories(directory);
      Directories.fsync(directory.toAbsolutePath().getParent());
    }
    ChronicleLog log = new ChronicleLog(directory, options, preamble);
    log.recover(replay);
    return log;
  }

  public Recovery recovery() {
    return recovery;
  }

  /** Sequence the next appended record will get. */
  public long nextSequence() {
    return nextSequence;
  }

  /** Highest sequence known durable; 0 if none yet in this run. */
  public long durableThrough() {
    return durableThrough;
  }

  /**
   * Appends a record; it is durable only once a later {@link #sync} returns a sequence at or above
   * the one returned here.
   */
  public long append(long key, byte[] payload) throws IOException {
    checkUsable();
    checkArgument(
        key >= LogRecord.NO_KEY, "record key must be >= %s, was %s", LogRecord.NO_KEY, key);
    checkArgument(
        payload.length <= options.maxRecordBytes(),
        "record is %s bytes, more than the limit of %s",
        payload.length,
        options.maxRecordBytes());
    if (activeCount >= options.maxRecordsPerSegment()) {
      roll();
    }
    return write(key, payload);
  }

  /**
   * Makes every record appended so far durable (one sync for all of them) and returns the highest
   * durable sequence.
   */
  public long sync() throws IOException {
    checkUsable();
    long last = nextSequence - 1;
    if (durableThrough == last && activeDirectorySynced) {
      return durableThrough;
    }
    try {
      appender.sync();
      if (!activeDirectorySynced) {
        // The segment's files were created by its first write; their names need a directory sync.
        Directories.fsync(segmentDirectory(activeFirstSequence));
        activeDirectorySynced = true;
      }
    } catch (IOException | RuntimeException | InternalError e) {
      throw fail("sync failed", e);
    }
    durableThrough = last;
    return durableThrough;
  }

  /**
   * Deletes sealed segments, oldest first, while every key in the oldest is below {@code key} (for
   * Paxos: slots covered by a snapshot). The active segment is never deleted.
   *
   * @return how many segments were deleted
   */
  public int deleteSegmentsBelow(long key) throws IOException {
    checkUsable();
    int deleted = 0;
    while (!sealed.isEmpty() && sealed.peekFirst().maxKey() < key) {
      SegmentSeal oldest = sealed.removeFirst();
      Path doomed = takeOutSegment(oldest.firstSequence());
      Files.delete(sealFile(oldest.firstSequence()));
      deleteRecursively(doomed);
      deleted++;
    }
    if (deleted > 0) {
      Directories.fsync(directory);
    }
    return deleted;
  }

  /**
   * Renames a segment out of the log in one atomic step and returns its new name. A crash after it
   * leaves, at worst, a seal with no segment at the front (a finished deletion) and a {@code
   * *.deleting} directory, both cleaned up on open. Deleting the files in place could leave a
   * half-empty segment beside its seal, which would look like damage.
   */
  private Path takeOutSegment(long first) throws IOException {
    Path segment = segmentDirectory(first);
    Path doomed = segment.resolveSibling(segment.getFileName() + DELETING_SUFFIX);
    Files.move(segment, doomed, StandardCopyOption.ATOMIC_MOVE);
    Directories.fsync(directory);
    return doomed;
  }

  private void removeSegmentDirectory(long first) throws IOException {
    deleteRecursively(takeOutSegment(first));
  }

  /** Sequence of the oldest record still in the log. */
  public long firstSequence() {
    return sealed.isEmpty() ? activeFirstSequence : sealed.peekFirst().firstSequence();
  }

  @Override
  public void close() {
    if (queue != null) {
      queue.close();
      queue = null;
      appender = null;
    }
  }

  // ---- writing ----

  private long write(long key, byte[] payload) throws IOException {
    try (DocumentContext document = appender.writingDocument()) {
      Bytes<?> bytes = document.wire().bytes();
      bytes.writeInt(payload.length);
      bytes.writeInt(checksum(key, payload));
      bytes.writeLong(key);
      bytes.write(payload);
    } catch (RuntimeException | InternalError e) {
      throw fail("append failed", e);
    }
    activeCount++;
    activeMaxKey = Math.max(activeMaxKey, key);
    return nextSequence++;
  }

  private void roll() throws IOException {
    sync();
    SegmentSeal seal = new SegmentSeal(activeFirstSequence, activeCount, activeMaxKey);
    try {
      seal.write(sealFile(activeFirstSequence));
    } catch (IOException e) {
      throw fail("sealing segment " + activeFirstSequence + " failed", e);
    }
    close();
    sealed.addLast(seal);
    startSegment();
  }

  private void startSegment() throws IOException {
    activeFirstSequence = nextSequence;
    activeCount = 0;
    activeMaxKey = LogRecord.NO_KEY;
    activeDirectorySynced = false;
    Path segment = segmentDirectory(activeFirstSequence);
    checkState(
        !Files.exists(segment) && !Files.exists(sealFile(activeFirstSequence)),
        "segment %s already exists: records appended to it would be hidden",
        activeFirstSequence);
    try {
      Files.createDirectory(segment);
      Directories.fsync(directory);
      queue = openQueue(segment);
      appender = queue.createAppender();
      for (byte[] record : preamble.get()) {
        write(LogRecord.NO_KEY, record);
      }
    } catch (IOException | RuntimeException | InternalError e) {
      throw fail("starting segment " + activeFirstSequence + " failed", e);
    }
    sync();
  }

  private SingleChronicleQueue openQueue(Path segment) {
    return SingleChronicleQueueBuilder.binary(segment)
        .syncMode(SyncMode.SYNC)
        .rollCycle(RollCycles.FAST_DAILY)
        .blockSize(options.blockSizeBytes())
        .build();
  }

  private LogFailedException fail(String what, Throwable cause) {
    if (failure == null) {
      failure = new LogFailedException(directory + ": " + what + ": " + cause, cause);
    }
    return failure;
  }

  private void checkUsable() throws LogFailedException {
    if (failure != null) {
      throw new LogFailedException(
          directory + ": log failed earlier, refusing: " + failure.getMessage(), failure);
    }
    checkState(queue != null, "log is closed");
  }

  // ---- recovery ----

  private void recover(Consumer<LogRecord> replay) throws IOException {
    TreeMap<Long, Boolean> segments = new TreeMap<>(); // first sequence -> has a directory
    TreeMap<Long, Path> seals = new TreeMap<>();
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (name.endsWith(DELETING_SUFFIX)) {
          deleteRecursively(entry); // a compaction that stopped after taking the segment out
          continue;
        }
        if (name.endsWith(SEAL_SUFFIX + ".tmp")) {
          Files.delete(entry); // a seal whose write did not finish: the segment was never sealed
          continue;
        }
        Optional<Long> first = firstSequenceOf(name);
        if (first.isEmpty()) {
          continue;
        }
        if (name.endsWith(SEAL_SUFFIX)) {
          seals.put(first.get(), entry);
        } else if (Files.isDirectory(entry)) {
          segments.put(first.get(), true);
        }
      }
    }
    // Seals at the front with no segment are deletions that stopped between the two steps.
    while (!seals.isEmpty() && (segments.isEmpty() || seals.firstKey() < segments.firstKey())) {
      Files.delete(seals.pollFirstEntry().getValue());
      Directories.fsync(directory);
    }
    for (Long first : seals.keySet()) {
      if (!segments.containsKey(first)) {
        throw new CorruptLogException(directory + ": segment " + first + " is sealed but missing");
      }
    }

    long replayed = 0;
    Optional<String> tornTail = Optional.empty();
    Long expectedFirst = null;
    List<Long> firsts = new ArrayList<>(segments.keySet());
    for (int i = 0; i < firsts.size(); i++) {
      long first = firsts.get(i);
      boolean last = i == firsts.size() - 1;
      if (expectedFirst != null && first != expectedFirst) {
        throw new CorruptLogException(
            directory
                + ": gap in the log: expected a segment at "
                + expectedFirst
                + ", found "
                + first);
      }
      Path sealPath = seals.get(first);
      if (sealPath != null) {
        SegmentSeal seal = SegmentSeal.read(sealPath);
        if (seal.firstSequence() != first) {
          throw new CorruptLogException(sealPath + ": seal names segment " + seal.firstSequence());
        }
        ReadResult read = readSegment(first, seal.recordCount(), replay);
        if (read.count() != seal.recordCount()) {
          throw new CorruptLogException(
              directory
                  + ": sealed segment "
                  + first
                  + " holds "
                  + read.count()
                  + " good records of "
                  + seal.recordCount()
                  + read.problem().map(p -> " (" + p + ")").orElse(""));
        }
        sealed.addLast(seal);
        replayed += read.count();
        expectedFirst = first + seal.recordCount();
      } else {
        if (!last) {
          throw new CorruptLogException(
              directory + ": segment " + first + " is not sealed but is not the newest");
        }
        ReadResult read = readSegment(first, Long.MAX_VALUE, replay);
        tornTail =
            read.problem()
                .map(p -> "segment " + first + " cut after " + read.count() + " records: " + p);
        if (read.count() == 0) {
          // Nothing durable in it; the new active segment takes its place and its name.
          removeSegmentDirectory(first);
        } else {
          // Seal what was good: nothing is appended to a segment after a crash.
          SegmentSeal seal = new SegmentSeal(first, read.count(), read.maxKey());
          seal.write(sealFile(first));
          sealed.addLast(seal);
        }
        replayed += read.count();
        expectedFirst = first + read.count();
      }
    }
    nextSequence = expectedFirst == null ? 1 : expectedFirst;
    durableThrough = nextSequence - 1;
    startSegment();
    recovery = new Recovery(segments.size(), replayed, nextSequence, tornTail);
  }

  private record ReadResult(long count, long maxKey, Optional<String> problem) {}

  /** Reads up to {@code limit} good records, stopping at the first bad one. */
  private ReadResult readSegment(long first, long limit, Consumer<LogRecord> replay) {
    long count = 0;
    long maxKey = LogRecord.NO_KEY;
    try (SingleChronicleQueue segment = openQueue(segmentDirectory(first))) {
      ExcerptTailer tailer = segment.createTailer();
      while (count < limit) {
        try (DocumentContext document = tailer.readingDocument()) {
          if (!document.isPresent()) {
            break;
          }
          Bytes<?> bytes = document.wire().bytes();
          long available = bytes.readRemaining();
          if (available < RECORD_HEADER_BYTES) {
            return new ReadResult(count, maxKey, Optional.of("record shorter than its header"));
          }
          int length = bytes.readInt();
          int crc = bytes.readInt();
          long key = bytes.readLong();
          if (length < 0
              || length > options.maxRecordBytes()
              || length != available - RECORD_HEADER_BYTES) {
            return new ReadResult(
                count, maxKey, Optional.of("record length " + length + " is wrong"));
          }
          byte[] payload = new byte[length];
          bytes.read(payload);
          if (checksum(key, payload) != crc || key < LogRecord.NO_KEY) {
            return new ReadResult(count, maxKey, Optional.of("record checksum mismatch"));
          }
          replay.accept(new LogRecord(first + count, key, payload));
          count++;
          maxKey = Math.max(maxKey, key);
        }
      }
    } catch (RuntimeException | InternalError e) {
      return new ReadResult(count, maxKey, Optional.of("unreadable: " + e));
    }
    return new ReadResult(count, maxKey, Optional.empty());
  }

  // ---- names ----

  private Path segmentDirectory(long first) {
    return directory.resolve(SEGMENT_PREFIX + String.format("%020d", first));
  }

  private Path sealFile(long first) {
    return directory.resolve(SEGMENT_PREFIX + String.format("%020d", first) + SEAL_SUFFIX);
  }

  private static Optional<Long> firstSequenceOf(String name) {
    if (!name.startsWith(SEGMENT_PREFIX)) {
      return Optional.empty();
    }
    String rest = name.substring(SEGMENT_PREFIX.length());
    String digits =
        rest.endsWith(SEAL_SUFFIX) ? rest.substring(0, rest.length() - SEAL_SUFFIX.length()) : rest;
    if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(digits));
  }

  private static int checksum(long key, byte[] payload) {
    CRC32C crc = new CRC32C();
    for (int shift = 56; shift >= 0; shift -= 8) {
      crc.update((int) (key >>> shift) & 0xff);
    }
    crc.update(payload);
    return (int) crc.getValue();
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> paths = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path path : paths) {
        Files.delete(path);
      }
    }
  }
}
