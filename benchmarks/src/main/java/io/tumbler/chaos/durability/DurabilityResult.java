package io.tumbler.chaos.durability;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What the durability checker found.
 *
 * @param lost the acknowledged writes missing from the final state, by file
 * @param ackedWrites how many acknowledged writes were checked
 */
public record DurabilityResult(List<LostWrite> lost, int ackedWrites) {

  public DurabilityResult {
    lost = List.copyOf(lost);
  }

  /** The {@code lost-acked-writes} count: at least this many acknowledged writes were lost. */
  public int lostAckedWrites() {
    return lost.stream().mapToInt(LostWrite::count).sum();
  }

  /** One line per finding, or an empty string. */
  public String explanation() {
    return lost.stream().map(LostWrite::toString).collect(Collectors.joining("\n"));
  }
}
