package io.tumbler.paxos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.paxos.PlantedBugs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the checker can fail: each planted protocol bug must be caught within the CI seed budget,
 * and the seed that catches it must pass without the bug (so it is the bug being caught, not a flaw
 * of the correct protocol).
 */
class PlantedBugsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "accept-below-promise",
        "ignore-higher-accepted",
        "lease-no-drift",
        "ack-before-persist"
      })
  void plantedBugIsCaughtWithinTheSeedBudget(String bug) {
    PlantedBugs bugs = SimulateMain.bug(bug);
    Simulation.Result caught = null;
    for (long seed = 1; seed <= SimulationSeedsTest.CI_SEEDS && caught == null; seed++) {
      Simulation.Result result = Simulation.run(seed, SimulateMain.options(seed, 0, bugs));
      if (!result.ok()) {
        caught = result;
      }
    }
    assertThat(caught)
        .as("%s caught within %s seeds", bug, SimulationSeedsTest.CI_SEEDS)
        .isNotNull();
    System.out.printf(
        "planted bug %s caught at seed %d: %s%n", bug, caught.seed(), caught.violation());
    Simulation.Result clean =
        Simulation.run(caught.seed(), SimulateMain.options(caught.seed(), 0, PlantedBugs.NONE));
    assertThat(clean.ok())
        .as("seed %s without the bug: %s", caught.seed(), clean.violation())
        .isTrue();
  }
}
