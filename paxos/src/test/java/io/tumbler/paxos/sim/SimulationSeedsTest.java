package io.tumbler.paxos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.paxos.PlantedBugs;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The CI seed budget: three thousand seeds of the whole-cell simulation (about 25-35 s on a loaded
 * 2-core machine, bounded by the per-test timeout), alternating 3- and 5-replica cells, every
 * invariant checked after every step. A failure prints each broken seed with its one-line
 * reproduction and trace.
 */
class SimulationSeedsTest {

  static final int CI_SEEDS = 3_000;

  @Test
  void theCiSeedBudgetBreaksNoInvariant() {
    List<String> failures = new ArrayList<>();
    long steps = 0;
    long elections = 0;
    long chosen = 0;
    long began = System.nanoTime();
    for (long seed = 1; seed <= CI_SEEDS; seed++) {
      Simulation.Result result =
          Simulation.run(seed, SimulateMain.options(seed, 0, PlantedBugs.NONE));
      steps += result.steps();
      elections += result.elections();
      chosen += result.chosen();
      if (!result.ok()) {
        failures.add(result.report());
        System.out.print(result.report());
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "simulation: seeds=%d steps=%d violations=%d elections=%d chosen=%d (%.1f s, %.1f seeds/s)%n",
        CI_SEEDS,
        steps,
        failures.size(),
        elections,
        chosen,
        seconds,
        CI_SEEDS / seconds);
    assertThat(failures).isEmpty();
    // A run where nothing happens checks nothing: the seeds must exercise the protocol.
    assertThat(elections).isGreaterThan(CI_SEEDS);
    assertThat(chosen).isGreaterThan(100L * CI_SEEDS);
  }
}
