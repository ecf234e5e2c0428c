package io.tumbler.chaos;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.cell.replica.PlantedStorageBugs;
import io.tumbler.chaos.cell.CellTiming;
import io.tumbler.chaos.nemesis.FaultKind;
import io.tumbler.chaos.workload.WorkloadSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One chaos run.
 *
 * @param dir where the cell, the history and the other files go (created if need be)
 * @param serverJar {@code cell/target/tumbler-server.jar}
 * @param replicas how many replicas (3 or 5)
 * @param duration how long the nemesis runs
 * @param faults the kinds of fault it uses
 * @param maxFaults the nemesis stops after this many faults, even before {@code duration}
 * @param seed the nemesis's and the workload's random source
 * @param workload what the clients do
 * @param timing the cell's leases
 * @param calmAfter how long the clients keep going once everything has healed: the cell must serve
 *     again (liveness), and what they do then is checked too
 * @param plantedAckBeforeWriteMs test only: the replicas acknowledge votes this long before they
 *     write them (0: off); see {@code PlantedStorageBugs}
 */
public record ChaosConfig(
    Path dir,
    Path serverJar,
    int replicas,
    Duration duration,
    Set<FaultKind> faults,
    int maxFaults,
    long seed,
    WorkloadSettings workload,
    CellTiming timing,
    Duration calmAfter,
    long plantedAckBeforeWriteMs) {

  /** Client groups the clients are spread over, so that one group can be cut from the master. */
  public static final int CLIENT_GROUPS = 2;

  /** The property the replica's logging configuration reads for its cache trace's level. */
  static final String CACHE_TRACE_PROPERTY = "tumbler.cacheTrace";

  public ChaosConfig {
    checkArgument(replicas >= 3 && replicas % 2 == 1, "3, 5, ... replicas, not %s", replicas);
    checkArgument(!duration.isNegative(), "duration must be >= 0");
    checkArgument(!faults.isEmpty(), "at least one kind of fault");
    faults = Set.copyOf(faults);
    checkArgument(maxFaults >= 1, "maxFaults must be >= 1");
    checkArgument(plantedAckBeforeWriteMs >= 0, "plantedAckBeforeWriteMs must be >= 0");
  }

  /**
   * The replicas' extra JVM arguments: their cache trace on (every cachable answer, invalidation
   * and acknowledgement in their logs, to explain a stale read), and the planted bug's property, if
   * any.
   */
  public List<String> replicaJvmArgs() {
    List<String> args = new ArrayList<>();
    args.add("-D" + CACHE_TRACE_PROPERTY + "=DEBUG");
    if (plantedAckBeforeWriteMs != 0) {
      args.add("-D" + PlantedStorageBugs.ACK_BEFORE_WRITE_PROPERTY + "=" + plantedAckBeforeWriteMs);
    }
    return List.copyOf(args);
  }
}
