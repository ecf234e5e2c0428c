package io.tumbler.chaos;

import io.tumbler.chaos.durability.DurabilityChecker;
import io.tumbler.chaos.durability.DurabilityResult;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.linearizability.LinearizabilityChecker;
import io.tumbler.chaos.linearizability.LinearizabilityResult;
import io.tumbler.chaos.locksafety.LockSafetyChecker;
import io.tumbler.chaos.locksafety.LockSafetyResult;
import java.util.Map;

/** The three checkers of a chaos run, over the history as read back from its file. */
final class Checks {

  /**
   * @param linearizable {@code true}, {@code false} or {@code unknown}
   * @param lockViolations what the lock-safety checker found
   * @param lostAckedWrites what the durability checker found (0 if it could not run)
   * @param explanation every finding explained, or empty
   */
  record Findings(
      String linearizable, int lockViolations, int lostAckedWrites, String explanation) {}

  /**
   * @param finalState the final read, by key; null if there is none (the durability check is
   *     skipped, and the run counts as anomalous anyway)
   */
  Findings run(History history, Map<String, FinalValue> finalState) {
    LinearizabilityResult lin = new LinearizabilityChecker().check(history);
    LockSafetyResult locks = new LockSafetyChecker().check(history);
    StringBuilder explanation = new StringBuilder();
    append(explanation, lin.explanation());
    append(explanation, locks.explanation());
    int lost = 0;
    if (finalState != null) {
      DurabilityResult durability = new DurabilityChecker().check(history, finalState);
      lost = durability.lostAckedWrites();
      append(explanation, durability.explanation());
    }
    return new Findings(lin.verdict().label(), locks.count(), lost, explanation.toString());
  }

  private static void append(StringBuilder out, String text) {
    if (!text.isEmpty()) {
      out.append(text).append('\n');
    }
  }
}
