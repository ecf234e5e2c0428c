package io.tumbler.cell.config;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Optional;

/**
 * A replica's configuration, as read from its YAML file and validated by {@link CellConfigLoader}.
 *
 * @param cell the cell's name: the {@code <cell>} in {@code /ls/<cell>/...}
 * @param replicaId which entry of {@code replicas} this process is
 * @param dataDir where this replica keeps its Paxos log and snapshots
 * @param replicas every member of the cell; an odd number
 */
public record CellConfig(
    String cell, int replicaId, String dataDir, List<ReplicaAddresses> replicas) {

  public CellConfig {
    replicas = ImmutableList.copyOf(replicas);
  }

  /** This replica's own addresses. */
  public ReplicaAddresses self() {
    return replica(replicaId).orElseThrow();
  }

  public Optional<ReplicaAddresses> replica(int id) {
    return replicas.stream().filter(r -> r.id() == id).findFirst();
  }

  /** Replicas needed for a majority. */
  public int quorumSize() {
    return replicas.size() / 2 + 1;
  }
}
