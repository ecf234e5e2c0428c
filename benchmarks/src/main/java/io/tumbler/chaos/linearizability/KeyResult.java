package io.tumbler.chaos.linearizability;

/**
 * The verdict on the operations of one file.
 *
 * @param key the file
 * @param verdict linearizable, not, or unknown (the state budget ran out)
 * @param operations the operations that constrained the search (fails and indeterminate reads are
 *     left out)
 * @param statesExplored distinct (linearized set, state) configurations entered
 * @param longestPrefix the most operations the search managed to linearize in one order (when
 *     linearizable: how many the linearization found uses; indeterminate ones left out never took
 *     effect)
 * @param counterexample where it got stuck, when not linearizable; otherwise {@code null}
 */
public record KeyResult(
    String key,
    Verdict verdict,
    int operations,
    long statesExplored,
    int longestPrefix,
    Counterexample counterexample) {

  /** One line for a report. */
  public String summary() {
    switch (verdict) {
      case LINEARIZABLE:
        return "key " + key + ": linearizable (" + operations + " operations)";
      case UNKNOWN:
        return "key "
            + key
            + ": unknown after "
            + statesExplored
            + " states (longest linearizable prefix "
            + longestPrefix
            + " of "
            + operations
            + " operations)";
      case NOT_LINEARIZABLE:
        return counterexample.describe();
    }
    throw new AssertionError("unhandled verdict " + verdict);
  }
}
