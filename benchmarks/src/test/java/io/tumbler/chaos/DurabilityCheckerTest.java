package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.chaos.LinearizabilityCheckerTest.Histories;
import io.tumbler.chaos.durability.DurabilityChecker;
import io.tumbler.chaos.durability.DurabilityResult;
import io.tumbler.chaos.durability.LostWrite;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.Operation;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every acknowledged write must show in the final state; the checker sees when one does not. */
class DurabilityCheckerTest {

  private static final SimulatedRegisters.Config BUSY =
      new SimulatedRegisters.Config(8, 4, 2_000, 5, 10);

  private final DurabilityChecker checker = new DurabilityChecker();

  @Test
  void findsNothingLostWhenTheFinalStateIsWhatTheRegistersHold() {
    for (long seed : LinearizabilityCheckerTest.seeds(10)) {
      SimulatedRegisters registers = SimulatedRegisters.run(BUSY, seed);

      DurabilityResult result = checker.check(registers.history(), registers.finalState());

      assertThat(result.lost()).as("seed %d", seed).isEmpty();
      assertThat(result.ackedWrites()).isPositive();
    }
  }

  @Test
  void catchesACellThatLostTheTailOfAFilesWrites() {
    for (long seed : LinearizabilityCheckerTest.seeds(10)) {
      SimulatedRegisters registers = SimulatedRegisters.run(BUSY, seed);
      SimulatedRegisters.LostTail damaged = registers.finalStateLosingTheLastAckedWrite();

      DurabilityResult result = checker.check(registers.history(), damaged.finalState());

      assertThat(result.lostAckedWrites()).as("seed %d", seed).isPositive();
      assertThat(result.lost()).extracting(LostWrite::key).containsOnly(damaged.key());
      assertThat(result.explanation()).contains("but the final generation is");
    }
  }

  @Test
  void theLastWriteMustBeTheFinalValueWhenNothingCouldOverwriteIt() {
    Histories h = new Histories();
    h.ok(1, Operation.write("a", "x"), w -> w.produced(1L));
    h.ok(2, Operation.write("a", "y"), w -> w.produced(2L));

    DurabilityResult kept = checker.check(h.history(), finalState("a", "y", 2));
    DurabilityResult lost = checker.check(h.history(), finalState("a", "x", 2));

    assertThat(kept.lostAckedWrites()).isZero();
    assertThat(lost.lostAckedWrites()).isEqualTo(1);
    assertThat(lost.explanation())
        .contains("key a: p2 write a \"y\" -> @2")
        .contains("came after every other write, but the final value is \"x\"");
  }

  @Test
  void anIndeterminateWriteMayOrMayNotHaveOverwrittenTheLastAcknowledgedOne() {
    Histories h = new Histories();
    h.ok(1, Operation.write("a", "x"), w -> w.produced(1L));
    h.invoke(2, Operation.write("a", "maybe"));
    h.info(2, Operation.write("a", "maybe"));

    assertThat(checker.check(h.history(), finalState("a", "x", 1)).lostAckedWrites()).isZero();
    assertThat(checker.check(h.history(), finalState("a", "maybe", 2)).lostAckedWrites()).isZero();
  }

  @Test
  void countsLostWritesThatReportedNoGeneration() {
    Histories h = new Histories();
    for (int i = 0; i < 3; i++) {
      h.ok(1, Operation.write("a", "v" + i), w -> w.produced(null));
    }
    h.ok(1, Operation.cas("a", 3, "v3"), c -> c.swapped(null));
    h.ok(1, Operation.cas("a", 0, "no"), c -> c.mismatched(null)); // not a write

    DurabilityResult result = checker.check(h.history(), finalState("a", "v3", 2));

    assertThat(result.ackedWrites()).isEqualTo(4);
    assertThat(result.lostAckedWrites()).isEqualTo(2);
    assertThat(result.explanation())
        .contains("4 writes were acknowledged, but the final generation is 2: at least 2");
  }

  @Test
  void aFileMissingFromTheFinalStateLostEveryWrite() {
    Histories h = new Histories();
    h.ok(1, Operation.write("a", "x"), w -> w.produced(1L));
    h.ok(1, Operation.write("b", "y"), w -> w.produced(1L));

    DurabilityResult result = checker.check(h.history(), finalState("b", "y", 1));

    assertThat(result.lost()).extracting(LostWrite::key).containsOnly("a");
    assertThat(result.lostAckedWrites()).isEqualTo(1);
  }

  @Test
  void failedWritesNeedNotSurvive() {
    Histories h = new Histories();
    h.invoke(1, Operation.write("a", "refused"));
    h.fail(1, Operation.write("a", "refused"));

    History history = h.history();

    assertThat(checker.check(history, Map.of()).lostAckedWrites()).isZero();
  }

  private static Map<String, FinalValue> finalState(String key, String value, long generation) {
    return Map.of(key, new FinalValue(key, value, generation));
  }
}
