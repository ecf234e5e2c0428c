package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.concurrent.TimeUnit;

/**
 * Everything that tunes the core, validated together at construction: durations (with units in
 * their names) and every limit.
 *
 * @param membership the cell; the only place the core learns who is in it
 * @param leaseDurationNanos how long an acceptor's lease grant lasts on the acceptor's own clock
 * @param clockDriftPpm the bound on any replica clock's rate error, in parts per million. A master
 *     counts its lease as {@code leaseDurationNanos * (1 - 2 * drift)} from when it sent the
 *     request, which keeps it inside every grant for any pair of clocks within the bound
 * @param heartbeatIntervalNanos how often the master renews its lease and announces its commit
 * @param electionTimeoutNanos how long a follower waits without hearing the master before it runs
 * @param electionJitterMaxNanos the random extra wait added to each election timeout and retry
 * @param resendIntervalNanos how long the master waits before re-sending an unanswered accept
 * @param catchUpRetryNanos how long a lagging replica waits before repeating a catch-up request
 * @param maxSlotsInFlight window: slots proposed but not yet chosen, beyond those recovered
 * @param maxBatchCommands most commands in one slot
 * @param maxBatchBytes most command bytes in one slot
 * @param maxCommandBytes largest single command
 * @param maxPendingCommands commands the master queues for slots not yet opened
 * @param catchUpChunkEntries most chosen entries in one catch-up reply
 * @param snapshotChunkBytes most snapshot bytes in one chunk
 * @param snapshotChunksPerRequest chunks sent back to back for one request (a transfer window). A
 *     transfer is served from the snapshot it started on, kept (one per receiving replica) until
 *     that replica asks for entries again
 * @param logRetentionSlots chosen entries kept in memory behind a snapshot, so replicas slightly
 *     behind catch up from entries rather than a whole snapshot
 * @param promisePageBytes most bytes of votes ({@link AcceptedEntry#sizeBytes()}) one promise, or
 *     one further page of its votes, carries (at least one vote each); a candidate fetches the rest
 *     page by page before it leads. At most {@code maxBatchBytes}, so a page fits wherever the
 *     largest batch does
 * @param promisePagesPerRequest pages of votes an acceptor sends back to back for one prepare or
 *     one request for more (a window), so phase 1 takes one round trip per window, not per page
 * @param plantedBugs test-only protocol bugs; {@link PlantedBugs#NONE} outside tests
 */
public record PaxosConfig(
    Membership membership,
    long leaseDurationNanos,
    long clockDriftPpm,
    long heartbeatIntervalNanos,
    long electionTimeoutNanos,
    long electionJitterMaxNanos,
    long resendIntervalNanos,
    long catchUpRetryNanos,
    int maxSlotsInFlight,
    int maxBatchCommands,
    int maxBatchBytes,
    int maxCommandBytes,
    int maxPendingCommands,
    int catchUpChunkEntries,
    int snapshotChunkBytes,
    int snapshotChunksPerRequest,
    int logRetentionSlots,
    int promisePageBytes,
    int promisePagesPerRequest,
    PlantedBugs plantedBugs) {

  /** Drift above this (10%) means the clocks are broken, not drifting. */
  public static final long MAX_CLOCK_DRIFT_PPM = 100_000;

  /** The promise page, unless set or the largest batch is smaller. */
  public static final int DEFAULT_PROMISE_PAGE_BYTES = 512 * 1024;

  public PaxosConfig {
    checkNotNull(membership, "membership");
    checkNotNull(plantedBugs, "plantedBugs");
    checkArgument(leaseDurationNanos > 0, "leaseDurationNanos must be > 0");
    checkArgument(
        clockDriftPpm >= 0 && clockDriftPpm <= MAX_CLOCK_DRIFT_PPM,
        "clockDriftPpm must be in [0, %s], was %s",
        MAX_CLOCK_DRIFT_PPM,
        clockDriftPpm);
    checkArgument(heartbeatIntervalNanos > 0, "heartbeatIntervalNanos must be > 0");
    long masterLease = masterLeaseNanos(leaseDurationNanos, clockDriftPpm);
    checkArgument(
        heartbeatIntervalNanos * 3 <= masterLease,
        "the master must be able to renew at least three times per lease: heartbeat %s ns, lease %s ns",
        heartbeatIntervalNanos,
        masterLease);
    checkArgument(
        electionTimeoutNanos >= 2 * heartbeatIntervalNanos,
        "electionTimeoutNanos must be >= 2 heartbeats");
    checkArgument(electionJitterMaxNanos > 0, "electionJitterMaxNanos must be > 0");
    checkArgument(resendIntervalNanos > 0, "resendIntervalNanos must be > 0");
    checkArgument(catchUpRetryNanos > 0, "catchUpRetryNanos must be > 0");
    checkArgument(maxSlotsInFlight >= 1, "maxSlotsInFlight must be >= 1");
    checkArgument(maxBatchCommands >= 1, "maxBatchCommands must be >= 1");
    checkArgument(maxCommandBytes >= 1, "maxCommandBytes must be >= 1");
    checkArgument(
        maxBatchBytes >= maxCommandBytes,
        "a batch (%s bytes) must hold the largest command (%s bytes)",
        maxBatchBytes,
        maxCommandBytes);
    checkArgument(
        maxPendingCommands >= maxBatchCommands, "maxPendingCommands must hold at least one batch");
    checkArgument(catchUpChunkEntries >= 1, "catchUpChunkEntries must be >= 1");
    checkArgument(snapshotChunkBytes >= 1, "snapshotChunkBytes must be >= 1");
    checkArgument(snapshotChunksPerRequest >= 1, "snapshotChunksPerRequest must be >= 1");
    checkArgument(logRetentionSlots >= 0, "logRetentionSlots must be >= 0");
    checkArgument(
        promisePageBytes >= 1 && promisePageBytes <= maxBatchBytes,
        "promisePageBytes (%s) must be in [1, maxBatchBytes = %s]: a page must fit where a batch"
            + " does",
        promisePageBytes,
        maxBatchBytes);
    checkArgument(promisePagesPerRequest >= 1, "promisePagesPerRequest must be >= 1");
  }

  /** The lease the master may count: the grant shortened by the worst-case drift of two clocks. */
  public long masterLeaseNanos() {
    return plantedBugs.leaseWithoutDriftMargin()
        ? leaseDurationNanos
        : masterLeaseNanos(leaseDurationNanos, clockDriftPpm);
  }

  private static long masterLeaseNanos(long leaseDurationNanos, long clockDriftPpm) {
    // (1 - 2r) <= (1 - r) / (1 + r): a master clock running slow by r and an acceptor clock running
    // fast by r still leave the master's view of its lease inside the acceptor's grant.
    return leaseDurationNanos
        - Math.multiplyExact(leaseDurationNanos / 1_000_000, 2 * clockDriftPpm)
        - 1;
  }

  public static Builder builder(Membership membership) {
    return new Builder(membership);
  }

  public Builder toBuilder() {
    Builder b = new Builder(membership);
    b.leaseDurationNanos = leaseDurationNanos;
    b.clockDriftPpm = clockDriftPpm;
    b.heartbeatIntervalNanos = heartbeatIntervalNanos;
    b.electionTimeoutNanos = electionTimeoutNanos;
    b.electionJitterMaxNanos = electionJitterMaxNanos;
    b.resendIntervalNanos = resendIntervalNanos;
    b.catchUpRetryNanos = catchUpRetryNanos;
    b.maxSlotsInFlight = maxSlotsInFlight;
    b.maxBatchCommands = maxBatchCommands;
    b.maxBatchBytes = maxBatchBytes;
    b.maxCommandBytes = maxCommandBytes;
    b.maxPendingCommands = maxPendingCommands;
    b.catchUpChunkEntries = catchUpChunkEntries;
    b.snapshotChunkBytes = snapshotChunkBytes;
    b.snapshotChunksPerRequest = snapshotChunksPerRequest;
    b.logRetentionSlots = logRetentionSlots;
    b.promisePageBytes = promisePageBytes;
    b.promisePagesPerRequest = promisePagesPerRequest;
    b.plantedBugs = plantedBugs;
    return b;
  }

  /** Defaults sized for a LAN cell: 10 s leases, 200 ppm drift. */
  public static final class Builder {
    private final Membership membership;
    private long leaseDurationNanos = TimeUnit.SECONDS.toNanos(10);
    private long clockDriftPpm = 200;
    private long heartbeatIntervalNanos = TimeUnit.MILLISECONDS.toNanos(500);
    private long electionTimeoutNanos = TimeUnit.SECONDS.toNanos(2);
    private long electionJitterMaxNanos = TimeUnit.SECONDS.toNanos(1);
    private long resendIntervalNanos = TimeUnit.MILLISECONDS.toNanos(200);
    private long catchUpRetryNanos = TimeUnit.MILLISECONDS.toNanos(200);
    private int maxSlotsInFlight = 64;
    private int maxBatchCommands = 256;
    private int maxBatchBytes = 1 << 20;
    private int maxCommandBytes = 300 * 1024;
    private int maxPendingCommands = 16_384;
    private int catchUpChunkEntries = 256;
    private int snapshotChunkBytes = 256 * 1024;
    private int snapshotChunksPerRequest = 8;
    private int logRetentionSlots = 10_000;

    /** Unset: the default page, or the largest batch if that is smaller. */
    private int promisePageBytes;

    private int promisePagesPerRequest = 8;
    private PlantedBugs plantedBugs = PlantedBugs.NONE;

    private Builder(Membership membership) {
      this.membership = membership;
    }

    public Builder leaseDurationNanos(long v) {
      leaseDurationNanos = v;
      return this;
    }

    public Builder clockDriftPpm(long v) {
      clockDriftPpm = v;
      return this;
    }

    public Builder heartbeatIntervalNanos(long v) {
      heartbeatIntervalNanos = v;
      return this;
    }

    public Builder electionTimeoutNanos(long v) {
      electionTimeoutNanos = v;
      return this;
    }

    public Builder electionJitterMaxNanos(long v) {
      electionJitterMaxNanos = v;
      return this;
    }

    public Builder resendIntervalNanos(long v) {
      resendIntervalNanos = v;
      return this;
    }

    public Builder catchUpRetryNanos(long v) {
      catchUpRetryNanos = v;
      return this;
    }

    public Builder maxSlotsInFlight(int v) {
      maxSlotsInFlight = v;
      return this;
    }

    public Builder maxBatchCommands(int v) {
      maxBatchCommands = v;
      return this;
    }

    public Builder maxBatchBytes(int v) {
      maxBatchBytes = v;
      return this;
    }

    public Builder maxCommandBytes(int v) {
      maxCommandBytes = v;
      return this;
    }

    public Builder maxPendingCommands(int v) {
      maxPendingCommands = v;
      return this;
    }

    public Builder catchUpChunkEntries(int v) {
      catchUpChunkEntries = v;
      return this;
    }

    public Builder snapshotChunkBytes(int v) {
      snapshotChunkBytes = v;
      return this;
    }

    public Builder snapshotChunksPerRequest(int v) {
      snapshotChunksPerRequest = v;
      return this;
    }

    public Builder logRetentionSlots(int v) {
      logRetentionSlots = v;
      return this;
    }

    public Builder promisePageBytes(int v) {
      promisePageBytes = v;
      return this;
    }

    public Builder promisePagesPerRequest(int v) {
      promisePagesPerRequest = v;
      return this;
    }

    public Builder plantedBugs(PlantedBugs v) {
      plantedBugs = v;
      return this;
    }

    public PaxosConfig build() {
      return new PaxosConfig(
          membership,
          leaseDurationNanos,
          clockDriftPpm,
          heartbeatIntervalNanos,
          electionTimeoutNanos,
          electionJitterMaxNanos,
          resendIntervalNanos,
          catchUpRetryNanos,
          maxSlotsInFlight,
          maxBatchCommands,
          maxBatchBytes,
          maxCommandBytes,
          maxPendingCommands,
          catchUpChunkEntries,
          snapshotChunkBytes,
          snapshotChunksPerRequest,
          logRetentionSlots,
          promisePageBytes != 0
              ? promisePageBytes
              : Math.min(DEFAULT_PROMISE_PAGE_BYTES, maxBatchBytes),
          promisePagesPerRequest,
          plantedBugs);
    }
  }
}
