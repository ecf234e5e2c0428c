package io.tumbler.cell.config;

import io.tumbler.paxos.Membership;
import io.tumbler.paxos.PaxosConfig;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The replication protocol's timing and limits as an operator writes them: durations in
 * milliseconds. {@link #toPaxosConfig} turns them into the core's {@link PaxosConfig}, which checks
 * how they relate (three heartbeats per lease, and so on). The defaults are the core's own ({@link
 * PaxosConfig.Builder}), so they are stated in one place.
 *
 * @param masterLeaseMs how long an acceptor's promise not to elect another master lasts; the master
 *     serves reads from memory while it holds this lease, and a dead master is replaced only after
 *     it runs out
 * @param clockDriftPpm the bound on any replica clock's rate error, in parts per million
 * @param heartbeatIntervalMs how often the master renews its lease; at least three per lease
 * @param electionTimeoutMs how long a follower waits without hearing the master before it runs
 * @param electionJitterMaxMs random extra wait added to each election timeout, so candidates rarely
 *     collide
 * @param resendIntervalMs how long the master waits before re-sending an unanswered accept
 * @param catchUpRetryMs how long a lagging replica waits before repeating a catch-up request
 * @param maxSlotsInFlight slots proposed but not yet chosen
 * @param maxBatchCommands most commands in one slot
 * @param maxBatchBytes most command bytes in one slot
 * @param maxCommandBytes largest single command
 * @param maxPendingCommands commands the master queues for slots not yet opened
 * @param catchUpChunkEntries most chosen entries in one catch-up reply
 * @param snapshotChunkBytes most snapshot bytes in one chunk sent to a lagging replica
 * @param snapshotChunksPerRequest snapshot chunks sent back to back for one request
 * @param logRetentionSlots chosen entries kept in memory behind a snapshot, so a replica slightly
 *     behind catches up from entries rather than a whole snapshot
 */
public record PaxosSettings(
    long masterLeaseMs,
    long clockDriftPpm,
    long heartbeatIntervalMs,
    long electionTimeoutMs,
    long electionJitterMaxMs,
    long resendIntervalMs,
    long catchUpRetryMs,
    int maxSlotsInFlight,
    int maxBatchCommands,
    int maxBatchBytes,
    int maxCommandBytes,
    int maxPendingCommands,
    int catchUpChunkEntries,
    int snapshotChunkBytes,
    int snapshotChunksPerRequest,
    int logRetentionSlots) {

  /**
   * A server's master lease unless its file says otherwise. It bounds how long a cell is without a
   * master after the master dies (a successor is elected only once it has run out), so it is
   * shorter than the core's conservative default; three heartbeats still fit in it.
   */
  public static final long DEFAULT_MASTER_LEASE_MS = 4_000;

  /** The core's defaults, with the server's master lease; the membership only lets it build. */
  public static final PaxosSettings DEFAULTS =
      of(
          PaxosConfig.builder(Membership.of(List.of(1)))
              .leaseDurationNanos(TimeUnit.MILLISECONDS.toNanos(DEFAULT_MASTER_LEASE_MS))
              .build());

  /** The settings of {@code config}, rounded down to milliseconds. */
  public static PaxosSettings of(PaxosConfig config) {
    return new PaxosSettings(
        TimeUnit.NANOSECONDS.toMillis(config.leaseDurationNanos()),
        config.clockDriftPpm(),
        TimeUnit.NANOSECONDS.toMillis(config.heartbeatIntervalNanos()),
        TimeUnit.NANOSECONDS.toMillis(config.electionTimeoutNanos()),
        TimeUnit.NANOSECONDS.toMillis(config.electionJitterMaxNanos()),
        TimeUnit.NANOSECONDS.toMillis(config.resendIntervalNanos()),
        TimeUnit.NANOSECONDS.toMillis(config.catchUpRetryNanos()),
        config.maxSlotsInFlight(),
        config.maxBatchCommands(),
        config.maxBatchBytes(),
        config.maxCommandBytes(),
        config.maxPendingCommands(),
        config.catchUpChunkEntries(),
        config.snapshotChunkBytes(),
        config.snapshotChunksPerRequest(),
        config.logRetentionSlots());
  }

  /**
   * The core's configuration for {@code membership}.
   *
   * @throws IllegalArgumentException if the settings do not fit together; the message names the
   *     core's field (in nanoseconds where it counts time)
   */
  public PaxosConfig toPaxosConfig(Membership membership) {
    return PaxosConfig.builder(membership)
        .leaseDurationNanos(TimeUnit.MILLISECONDS.toNanos(masterLeaseMs))
        .clockDriftPpm(clockDriftPpm)
        .heartbeatIntervalNanos(TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs))
        .electionTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(electionTimeoutMs))
        .electionJitterMaxNanos(TimeUnit.MILLISECONDS.toNanos(electionJitterMaxMs))
        .resendIntervalNanos(TimeUnit.MILLISECONDS.toNanos(resendIntervalMs))
        .catchUpRetryNanos(TimeUnit.MILLISECONDS.toNanos(catchUpRetryMs))
        .maxSlotsInFlight(maxSlotsInFlight)
        .maxBatchCommands(maxBatchCommands)
        .maxBatchBytes(maxBatchBytes)
        .maxCommandBytes(maxCommandBytes)
        .maxPendingCommands(maxPendingCommands)
        .catchUpChunkEntries(catchUpChunkEntries)
        .snapshotChunkBytes(snapshotChunkBytes)
        .snapshotChunksPerRequest(snapshotChunksPerRequest)
        .logRetentionSlots(logRetentionSlots)
        .build();
  }
}
