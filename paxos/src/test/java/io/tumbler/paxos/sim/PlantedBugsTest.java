package io.tumbler.paxos.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.paxos.PlantedBugs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proves the checker can fail: each planted protocol bug must be caught within the CI seed budget,
 * and the seed that catches it must pass without the bug (so it is the bug being caught, not a flaw
 * of the correct protocol). "cell" runs only the invariants clients could observe, (1)-(5); "all"
 * adds the acceptor-level checks (1a), (1b), (4a).
 */
class PlantedBugsTest {

  @ParameterizedTest(name = "{0} caught by {1} checks")
  @CsvSource({
    "accept-below-promise, all",
    "accept-below-promise, cell",
    "ignore-higher-accepted, cell",
    "lease-no-drift, cell",
    "ack-before-persist, all",
    "ack-before-persist, cell",
    "ignore-unpaged-votes, cell",
  })
  void plantedBugIsCaughtWithinTheSeedBudget(String bug, String checks) {
    PlantedBugs bugs = SimulateMain.bug(bug);
    Simulation.Result caught = null;
    for (long seed = 1; seed <= SimulationSeedsTest.CI_SEEDS && caught == null; seed++) {
      Simulation.Options options = SimulateMain.options(seed, 0, bugs);
      if (checks.equals("cell")) {
        options = options.withoutAcceptorChecks();
      }
      Simulation.Result result = Simulation.run(seed, options);
      if (!result.ok()) {
        caught = result;
      }
    }
    assertThat(caught)
        .as("%s caught by %s checks within %s seeds", bug, checks, SimulationSeedsTest.CI_SEEDS)
        .isNotNull();
    System.out.printf(
        "planted bug %s caught by %s checks at seed %d: %s%n",
        bug, checks, caught.seed(), caught.violation());
    Simulation.Result clean =
        Simulation.run(caught.seed(), SimulateMain.options(caught.seed(), 0, PlantedBugs.NONE));
    assertThat(clean.ok())
        .as("seed %s without the bug: %s", caught.seed(), clean.violation())
        .isTrue();
  }
}
