package io.tumbler.paxos.durable;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Limits and sizes of a {@link ChronicleLog}.
 *
 * @param maxRecordsPerSegment records after which the active segment is sealed and a new one
 *     started; compaction frees space one whole segment at a time, so this bounds how much of the
 *     log outlives a snapshot
 * @param maxRecordBytes largest payload of one record; a bigger append is refused, and a bigger
 *     length read back is treated as damage
 * @param blockSizeBytes Chronicle Queue's mapping unit for each segment
 */
public record LogOptions(int maxRecordsPerSegment, int maxRecordBytes, long blockSizeBytes) {

  public static final int DEFAULT_MAX_RECORDS_PER_SEGMENT = 256 * 1024;

  /**
   * A Paxos slot holds a batch of commands; a batch stays well under this (see the core's limits).
   */
  public static final int DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024;

  public static final long DEFAULT_BLOCK_SIZE_BYTES = 16L * 1024 * 1024;

  public static final LogOptions DEFAULTS =
      new LogOptions(
          DEFAULT_MAX_RECORDS_PER_SEGMENT, DEFAULT_MAX_RECORD_BYTES, DEFAULT_BLOCK_SIZE_BYTES);

  public LogOptions {
    checkArgument(
        maxRecordsPerSegment >= 2,
        "maxRecordsPerSegment must be >= 2 (a segment starts with its preamble), was %s",
        maxRecordsPerSegment);
    checkArgument(maxRecordBytes >= 1, "maxRecordBytes must be >= 1, was %s", maxRecordBytes);
    checkArgument(
        blockSizeBytes >= 2L * (maxRecordBytes + ChronicleLog.RECORD_HEADER_BYTES),
        "blockSizeBytes (%s) must hold at least two of the largest records (%s bytes each)",
        blockSizeBytes,
        maxRecordBytes);
  }
}
