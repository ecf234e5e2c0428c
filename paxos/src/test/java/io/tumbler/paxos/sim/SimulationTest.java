package io.tumbler.paxos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.paxos.PlantedBugs;
import org.junit.jupiter.api.Test;

class SimulationTest {

  @Test
  void aSeedReplaysExactly() {
    long seed = 424242;
    Simulation.Result first = Simulation.run(seed, Simulation.Options.defaults(5));
    Simulation.Result second = Simulation.run(seed, Simulation.Options.defaults(5));
    System.out.println("seed " + seed + ": " + first.steps() + " steps");
    assertThat(second).isEqualTo(first);
    assertThat(first.steps()).isGreaterThan(1000);
  }

  @Test
  void aViolationReportsTheSeedAOneLineReproductionAndTheTrace() {
    PlantedBugs bug = Simulation.plantedBug("ack-before-persist");
    Simulation.Result result =
        Simulation.run(1, Simulation.Options.defaults(3).withPlantedBugs(bug));
    System.out.println("seed 1 with ack-before-persist: " + result.violation());
    assertThat(result.ok()).isFalse();
    assertThat(result.report())
        .contains("VIOLATION seed=1:")
        .contains("reproduce: scripts/simulate --seed 1 --replicas 3 --bug ack-before-persist")
        .contains("last steps:");
    assertThat(result.trace()).isNotEmpty();
  }
}
