package io.tumbler.chaos.linearizability;

import io.tumbler.chaos.history.Call;
import java.util.List;

/**
 * Why one file's history has no linearization: the furthest the search got. Every order it tried
 * stopped at an operation that had returned but could not take effect; the deepest such point is
 * the most telling (as in Porcupine's partial linearizations).
 *
 * @param key the file
 * @param prefixLength how many operations the longest linearizable prefix orders
 * @param operations how many operations the file's history has
 * @param stateAfterPrefix what the file held after that prefix
 * @param prefixTail the last operations of that prefix, oldest first
 * @param stuck the returned operation that could not take effect after it
 * @param open other operations invoked before {@code stuck} returned and not in the prefix: the
 *     ones that could have been placed before it, and were tried
 */
public record Counterexample(
    String key,
    int prefixLength,
    int operations,
    RegisterState stateAfterPrefix,
    List<Call> prefixTail,
    Call stuck,
    List<Call> open) {

  /** A multi-line explanation for a report. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    s.append("key ")
        .append(key)
        .append(": not linearizable. The longest linearizable prefix orders ")
        .append(prefixLength)
        .append(" of ")
        .append(operations)
        .append(" operations and leaves ")
        .append(stateAfterPrefix)
        .append("; after it this operation cannot take effect, in any order:\n  ")
        .append(stuck.describe());
    if (!open.isEmpty()) {
      s.append("\nnor after any of the operations still open:");
      open.forEach(c -> s.append("\n  ").append(c.describe()));
    }
    if (!prefixTail.isEmpty()) {
      s.append("\nthe prefix ends with:");
      prefixTail.forEach(c -> s.append("\n  ").append(c.describe()));
    }
    return s.toString();
  }
}
