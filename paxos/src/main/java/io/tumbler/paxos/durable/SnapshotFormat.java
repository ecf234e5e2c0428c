package io.tumbler.paxos.durable;

import java.nio.charset.StandardCharsets;

/**
 * The layout of a snapshot file. All integers are big-endian.
 *
 * <pre>
 * header:  magic "TMBLSNAP" (8) | format version (int) | index (long) | metadata length (int)
 *          | metadata bytes | header CRC32C (int, over everything before it)
 * body:    the state machine's bytes, streamed
 * trailer: body length (long) | body CRC32C (int) | trailer magic "TMBLEND!" (8)
 * </pre>
 *
 * <p>The body length and checksum sit in a fixed-size trailer, so the body can be streamed in
 * without knowing its length in advance (a snapshot received from the master arrives in chunks),
 * and a reader can find them by seeking to the end.
 */
final class SnapshotFormat {

  static final byte[] HEADER_MAGIC = "TMBLSNAP".getBytes(StandardCharsets.US_ASCII);
  static final byte[] TRAILER_MAGIC = "TMBLEND!".getBytes(StandardCharsets.US_ASCII);
  static final int FORMAT_VERSION = 1;

  /** Metadata is small (ballot, epoch, membership); a bigger value means a corrupt length. */
  static final int MAX_METADATA_BYTES = 64 * 1024;

  static final int FIXED_HEADER_BYTES = 8 + 4 + 8 + 4;
  static final int HEADER_CRC_BYTES = 4;
  static final int TRAILER_BYTES = 8 + 4 + 8;

  static final String FILE_PREFIX = "snapshot-";
  static final String FILE_SUFFIX = ".snap";
  static final String TEMP_SUFFIX = ".tmp";

  /**
   * Added before {@link #TEMP_SUFFIX} for a snapshot being received from another replica, so an
   * operator can tell it from the replica's own snapshot being written.
   */
  static final String INCOMING_SUFFIX = ".incoming";

  private SnapshotFormat() {}

  /** {@code snapshot-00000000000000001234.snap}: zero-padded so names sort by index. */
  static String fileName(long index) {
    return FILE_PREFIX + String.format("%020d", index) + FILE_SUFFIX;
  }

  static int headerBytes(int metadataLength) {
    return FIXED_HEADER_BYTES + metadataLength + HEADER_CRC_BYTES;
  }
}
