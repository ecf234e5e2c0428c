package io.tumbler.chaos.cell;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The timing a chaos cell runs with, written into every replica's YAML ({@code paxos:} and {@code
 * sessions:} sections, docs/operations.md). The shape is EmbeddedCell's: test-friendly short leases
 * whose heartbeats still tolerate a stall of a few hundred milliseconds on a loaded two-core box.
 *
 * @param masterLeaseMs the master lease; heartbeats every sixth of it, elections after two thirds
 *     plus up to a third of jitter
 * @param sessionLeaseMs the session lease; KeepAlives are answered a third of it before it ends
 */
public record CellTiming(long masterLeaseMs, long sessionLeaseMs) {

  /** EmbeddedCell's defaults: a dead master is replaced in about two seconds. */
  public static final CellTiming DEFAULT = new CellTiming(1_500, 5_000);

  public CellTiming {
    checkArgument(masterLeaseMs >= 300, "masterLeaseMs must be >= 300, was %s", masterLeaseMs);
    checkArgument(
        sessionLeaseMs >= 1_000 && sessionLeaseMs <= 60_000,
        "sessionLeaseMs must be in [1000, 60000], was %s",
        sessionLeaseMs);
  }

  /** The YAML sections, to append to a replica's file. */
  public String yaml() {
    return "sessions:\n"
        + "  sessionLeaseMs: "
        + sessionLeaseMs
        + "\n"
        + "  keepAliveAnswerAheadMs: "
        + sessionLeaseMs / 3
        + "\n"
        + "paxos:\n"
        + "  masterLeaseMs: "
        + masterLeaseMs
        + "\n"
        + "  heartbeatIntervalMs: "
        + masterLeaseMs / 6
        + "\n"
        + "  electionTimeoutMs: "
        + masterLeaseMs * 2 / 3
        + "\n"
        + "  electionJitterMaxMs: "
        + masterLeaseMs / 3
        + "\n";
  }
}
