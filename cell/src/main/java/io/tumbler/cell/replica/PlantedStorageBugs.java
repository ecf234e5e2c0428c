package io.tumbler.cell.replica;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Deliberate durability bugs in a replica's storage worker, <b>for tests only</b>: the chaos
 * harness's durability checker must catch each one (docs/testing.md, "The planted durability
 * fault"). Production replicas use {@link #NONE}; the server process turns one on only when started
 * with the system property {@link #ACK_BEFORE_WRITE_PROPERTY}, and says so loudly in its log.
 *
 * <p>Why not the Paxos core's {@code PlantedBugs.ackBeforePersist}: that one answers before the
 * records are synced, but a {@code kill -9} does not lose what the process already handed to the
 * operating system's page cache, so under process kills it loses nothing. This one really holds the
 * records back inside the process, so a {@code kill -9} within the delay loses votes that were
 * already counted towards an acknowledged write.
 *
 * @param ackBeforeWriteMs when positive, every group commit of votes (promises, ballots, accepts)
 *     is reported durable at once and only written and synced this many milliseconds later
 */
public record PlantedStorageBugs(long ackBeforeWriteMs) {

  /** The system property that plants {@link #ackBeforeWriteMs} in a server process. */
  public static final String ACK_BEFORE_WRITE_PROPERTY = "tumbler.planted.ackBeforeWriteMs";

  /** Longest delay accepted: a typo of minutes would only make a test slow, not more telling. */
  public static final long MAX_ACK_BEFORE_WRITE_MS = 60_000;

  public static final PlantedStorageBugs NONE = new PlantedStorageBugs(0);

  public PlantedStorageBugs {
    checkArgument(
        ackBeforeWriteMs >= 0 && ackBeforeWriteMs <= MAX_ACK_BEFORE_WRITE_MS,
        "ackBeforeWriteMs must be in [0, %s], was %s",
        MAX_ACK_BEFORE_WRITE_MS,
        ackBeforeWriteMs);
  }

  public boolean any() {
    return ackBeforeWriteMs > 0;
  }

  /**
   * What {@code value} of {@link #ACK_BEFORE_WRITE_PROPERTY} plants: {@link #NONE} when it is null.
   *
   * @throws IllegalArgumentException if it is not a number of milliseconds in range
   */
  public static PlantedStorageBugs fromProperty(String value) {
    if (value == null) {
      return NONE;
    }
    try {
      return new PlantedStorageBugs(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          ACK_BEFORE_WRITE_PROPERTY + " must be a number of milliseconds, was '" + value + "'");
    }
  }
}
