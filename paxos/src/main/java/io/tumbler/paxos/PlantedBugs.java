package io.tumbler.paxos;

/**
 * Deliberate protocol bugs, for tests only: each one must be caught by the simulator's checker.
 * Injected through {@link PaxosConfig}; production configurations use {@link #NONE}.
 *
 * @param acceptBelowPromise an acceptor accepts a value under a ballot lower than its promise
 * @param ignoreHigherAcceptedValue a new master keeps the first accepted value it hears of per slot
 *     instead of the one with the highest ballot
 * @param leaseWithoutDriftMargin the master counts its lease as the full lease duration, without
 *     the clock-drift margin
 * @param ackBeforePersist promises and accepts are answered before their records are durable
 * @param ignoreUnpagedVotes a candidate takes the first page of each promise's votes as all of them
 *     and leads without fetching the rest
 */
public record PlantedBugs(
    boolean acceptBelowPromise,
    boolean ignoreHigherAcceptedValue,
    boolean leaseWithoutDriftMargin,
    boolean ackBeforePersist,
    boolean ignoreUnpagedVotes) {

  public static final PlantedBugs NONE = new PlantedBugs(false, false, false, false, false);

  public boolean any() {
    return acceptBelowPromise
        || ignoreHigherAcceptedValue
        || leaseWithoutDriftMargin
        || ackBeforePersist
        || ignoreUnpagedVotes;
  }
}
