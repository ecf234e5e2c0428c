package io.tumbler.lockservice;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Every limit of the lock service, in one place so that their relations can be checked together. A
 * server enforces these before it accepts a command (and the state machine again when it applies
 * one, answering with an error, never throwing); a client checks them early to give a clearer
 * error, but the server's check is the one that counts.
 *
 * @param maxComponentBytes longest name component, in UTF-8 bytes
 * @param maxDepth most components below the cell name ({@code /ls/cell/a/b} has depth 2)
 * @param maxPathBytes longest whole name, in UTF-8 bytes, {@code /ls/<cell>} included
 * @param maxFileBytes largest contents of one file
 * @param maxHandlesPerSession open handles per session, so that one session's expiry is a bounded
 *     command
 * @param maxEphemeralHandlesPerSession handles on ephemeral nodes per session, bounding how many
 *     nodes an expiry can delete
 * @param maxReadDirEntries children returned by one ReadDir page
 * @param maxTransactionOps checks and writes in one transaction
 * @param maxTransactionContentBytes contents written by one transaction, summed
 * @param maxUnackedRequestsPerSession results kept for retries until the client acknowledges them
 * @param lockDelayMsMax the longest lock-delay a handle may ask for
 * @param lockDelayMsDefault the lock-delay of a handle that asks for none
 * @param maxPrincipalBytes longest principal name
 * @param maxFrameBytes largest wire frame, length prefix included
 */
public record Limits(
    int maxComponentBytes,
    int maxDepth,
    int maxPathBytes,
    int maxFileBytes,
    int maxHandlesPerSession,
    int maxEphemeralHandlesPerSession,
    int maxReadDirEntries,
    int maxTransactionOps,
    int maxTransactionContentBytes,
    int maxUnackedRequestsPerSession,
    long lockDelayMsMax,
    long lockDelayMsDefault,
    int maxPrincipalBytes,
    int maxFrameBytes) {

  public static final int DEFAULT_MAX_COMPONENT_BYTES = 255;
  public static final int DEFAULT_MAX_DEPTH = 32;
  public static final int DEFAULT_MAX_PATH_BYTES = 1024;
  public static final int DEFAULT_MAX_FILE_BYTES = 256 * 1024;
  public static final int DEFAULT_MAX_HANDLES_PER_SESSION = 10_000;
  public static final int DEFAULT_MAX_EPHEMERAL_HANDLES_PER_SESSION = 1_000;
  public static final int DEFAULT_MAX_READ_DIR_ENTRIES = 1_000;
  public static final int DEFAULT_MAX_TRANSACTION_OPS = 128;
  public static final int DEFAULT_MAX_TRANSACTION_CONTENT_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_UNACKED_REQUESTS_PER_SESSION = 64;
  public static final long DEFAULT_LOCK_DELAY_MS_MAX = 60_000;
  public static final long DEFAULT_LOCK_DELAY_MS = 60_000;
  public static final int DEFAULT_MAX_PRINCIPAL_BYTES = 255;
  public static final int DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

  /**
   * Room in a frame for everything but the payloads the other limits bound: header, ids, one stat,
   * error details.
   */
  public static final int FRAME_OVERHEAD_BYTES = 4 * 1024;

  /** Upper bound of an encoded Stat besides its three ACL names. */
  public static final int STAT_FIXED_BYTES = 64;

  public static final Limits DEFAULTS =
      new Limits(
          DEFAULT_MAX_COMPONENT_BYTES,
          DEFAULT_MAX_DEPTH,
          DEFAULT_MAX_PATH_BYTES,
          DEFAULT_MAX_FILE_BYTES,
          DEFAULT_MAX_HANDLES_PER_SESSION,
          DEFAULT_MAX_EPHEMERAL_HANDLES_PER_SESSION,
          DEFAULT_MAX_READ_DIR_ENTRIES,
          DEFAULT_MAX_TRANSACTION_OPS,
          DEFAULT_MAX_TRANSACTION_CONTENT_BYTES,
          DEFAULT_MAX_UNACKED_REQUESTS_PER_SESSION,
          DEFAULT_LOCK_DELAY_MS_MAX,
          DEFAULT_LOCK_DELAY_MS,
          DEFAULT_MAX_PRINCIPAL_BYTES,
          DEFAULT_MAX_FRAME_BYTES);

  public Limits {
    checkArgument(
        maxComponentBytes >= 1, "maxComponentBytes must be >= 1, was %s", maxComponentBytes);
    checkArgument(maxDepth >= 1, "maxDepth must be >= 1, was %s", maxDepth);
    checkArgument(
        maxPathBytes >= "/ls/".length() + 2 * (1 + 1),
        "maxPathBytes must leave room for a cell and one component, was %s",
        maxPathBytes);
    checkArgument(
        maxPathBytes >= maxComponentBytes,
        "maxPathBytes (%s) must be >= maxComponentBytes (%s)",
        maxPathBytes,
        maxComponentBytes);
    checkArgument(maxFileBytes >= 0, "maxFileBytes must be >= 0, was %s", maxFileBytes);
    checkArgument(maxHandlesPerSession >= 1, "maxHandlesPerSession must be >= 1");
    checkArgument(
        maxEphemeralHandlesPerSession >= 1 && maxEphemeralHandlesPerSession <= maxHandlesPerSession,
        "maxEphemeralHandlesPerSession must be in [1, maxHandlesPerSession]");
    checkArgument(maxReadDirEntries >= 1, "maxReadDirEntries must be >= 1");
    checkArgument(maxTransactionOps >= 1, "maxTransactionOps must be >= 1");
    checkArgument(
        maxTransactionContentBytes >= maxFileBytes,
        "maxTransactionContentBytes (%s) must be >= maxFileBytes (%s)",
        maxTransactionContentBytes,
        maxFileBytes);
    checkArgument(maxUnackedRequestsPerSession >= 1, "maxUnackedRequestsPerSession must be >= 1");
    checkArgument(
        lockDelayMsMax >= 0 && lockDelayMsMax <= DEFAULT_LOCK_DELAY_MS_MAX,
        "lockDelayMsMax must be in [0, %s]: a lock-delay is at most 60 s",
        DEFAULT_LOCK_DELAY_MS_MAX);
    checkArgument(
        lockDelayMsDefault >= 0 && lockDelayMsDefault <= lockDelayMsMax,
        "lockDelayMsDefault must be in [0, lockDelayMsMax]");
    checkArgument(maxPrincipalBytes >= 1, "maxPrincipalBytes must be >= 1");
    // A frame must hold the largest thing any single message carries.
    long largestPayload =
        largestPayload(
            maxComponentBytes,
            maxPathBytes,
            maxFileBytes,
            maxReadDirEntries,
            maxTransactionOps,
            maxTransactionContentBytes);
    checkArgument(
        maxFrameBytes >= largestPayload + FRAME_OVERHEAD_BYTES,
        "maxFrameBytes (%s) must hold the largest payload (%s) plus %s bytes of overhead",
        maxFrameBytes,
        largestPayload,
        FRAME_OVERHEAD_BYTES);
  }

  /** Namespace limits as given, every other limit at its default. */
  public Limits(int maxComponentBytes, int maxDepth, int maxPathBytes, int maxFileBytes) {
    this(
        maxComponentBytes,
        maxDepth,
        maxPathBytes,
        maxFileBytes,
        DEFAULT_MAX_HANDLES_PER_SESSION,
        DEFAULT_MAX_EPHEMERAL_HANDLES_PER_SESSION,
        DEFAULT_MAX_READ_DIR_ENTRIES,
        DEFAULT_MAX_TRANSACTION_OPS,
        Math.max(DEFAULT_MAX_TRANSACTION_CONTENT_BYTES, maxFileBytes),
        DEFAULT_MAX_UNACKED_REQUESTS_PER_SESSION,
        DEFAULT_LOCK_DELAY_MS_MAX,
        DEFAULT_LOCK_DELAY_MS,
        DEFAULT_MAX_PRINCIPAL_BYTES,
        DEFAULT_MAX_FRAME_BYTES);
  }

  /** The largest body any message can carry under these limits, in bytes. */
  private static long largestPayload(
      int maxComponentBytes,
      int maxPathBytes,
      int maxFileBytes,
      int maxReadDirEntries,
      int maxTransactionOps,
      int maxTransactionContentBytes) {
    long file = (long) maxFileBytes + maxPathBytes;
    long transaction =
        (long) maxTransactionContentBytes + (long) maxTransactionOps * (maxPathBytes + 16);
    long dirPage =
        (long) maxReadDirEntries
            * (maxComponentBytes + 3L * maxComponentBytes + STAT_FIXED_BYTES + 16);
    return Math.max(file, Math.max(transaction, dirPage));
  }

  /** These limits with another file size (and frame size grown to fit it). */
  public Limits withMaxFileBytes(int bytes) {
    return new Limits(
        maxComponentBytes,
        maxDepth,
        maxPathBytes,
        bytes,
        maxHandlesPerSession,
        maxEphemeralHandlesPerSession,
        maxReadDirEntries,
        maxTransactionOps,
        Math.max(maxTransactionContentBytes, bytes),
        maxUnackedRequestsPerSession,
        lockDelayMsMax,
        lockDelayMsDefault,
        maxPrincipalBytes,
        (int)
            Math.max(
                maxFrameBytes,
                largestPayload(
                        maxComponentBytes,
                        maxPathBytes,
                        bytes,
                        maxReadDirEntries,
                        maxTransactionOps,
                        Math.max(maxTransactionContentBytes, bytes))
                    + FRAME_OVERHEAD_BYTES));
  }

  /**
   * These limits with another frame size.
   *
   * @throws IllegalArgumentException if a frame that size could not carry the largest request
   */
  public Limits withMaxFrameBytes(int bytes) {
    return new Limits(
        maxComponentBytes,
        maxDepth,
        maxPathBytes,
        maxFileBytes,
        maxHandlesPerSession,
        maxEphemeralHandlesPerSession,
        maxReadDirEntries,
        maxTransactionOps,
        maxTransactionContentBytes,
        maxUnackedRequestsPerSession,
        lockDelayMsMax,
        lockDelayMsDefault,
        maxPrincipalBytes,
        bytes);
  }
}
