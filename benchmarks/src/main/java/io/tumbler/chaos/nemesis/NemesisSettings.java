package io.tumbler.chaos.nemesis;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * How often and how long the nemesis strikes. Every duration is drawn uniformly from its range with
 * the nemesis's seeded random source.
 *
 * @param kinds the faults to choose from
 * @param quietMin shortest healthy spell between two faults
 * @param quietMax longest healthy spell
 * @param holdMin shortest time a fault lasts
 * @param holdMax longest time a fault lasts
 * @param pauseMin shortest SIGSTOP: longer than the master lease, so a frozen master loses it
 * @param masterDeadline how long to wait for a master after a majority came back (kill-majority)
 * @param maxFaults the nemesis stops by itself after this many faults
 */
public record NemesisSettings(
    Set<FaultKind> kinds,
    Duration quietMin,
    Duration quietMax,
    Duration holdMin,
    Duration holdMax,
    Duration pauseMin,
    Duration masterDeadline,
    int maxFaults) {

  public NemesisSettings {
    checkArgument(!kinds.isEmpty(), "at least one kind of fault");
    kinds = Set.copyOf(EnumSet.copyOf(kinds));
    checkArgument(
        !quietMin.isNegative() && quietMin.compareTo(quietMax) <= 0, "quietMin <= quietMax");
    checkArgument(!holdMin.isNegative() && holdMin.compareTo(holdMax) <= 0, "holdMin <= holdMax");
    checkArgument(pauseMin.compareTo(holdMax) <= 0, "pauseMin <= holdMax");
    checkArgument(maxFaults >= 1, "maxFaults must be >= 1");
  }

  /**
   * Faults of 3 to 10 s with 2 to 6 s of calm between them; pauses of at least twice the master
   * lease plus a second.
   */
  public static NemesisSettings forLease(
      Set<FaultKind> kinds, Duration masterLease, int maxFaults) {
    Duration pauseMin = masterLease.multipliedBy(2).plusSeconds(1);
    Duration holdMax = Duration.ofSeconds(10);
    return new NemesisSettings(
        kinds,
        Duration.ofSeconds(2),
        Duration.ofSeconds(6),
        Duration.ofSeconds(3),
        holdMax.compareTo(pauseMin) < 0 ? pauseMin : holdMax,
        pauseMin,
        Duration.ofSeconds(90),
        maxFaults);
  }
}
