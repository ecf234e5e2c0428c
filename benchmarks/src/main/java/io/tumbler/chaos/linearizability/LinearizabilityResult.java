package io.tumbler.chaos.linearizability;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The linearizability verdict on a history: one verdict per file, and the whole history's, which is
 * not linearizable if any file's is not, unknown if any file's is unknown, and linearizable only if
 * every file's is (linearizability is local: Herlihy and Wing).
 *
 * @param verdict the whole history's verdict
 * @param keys one result per file, by key
 */
public record LinearizabilityResult(Verdict verdict, List<KeyResult> keys) {

  public LinearizabilityResult {
    keys = List.copyOf(keys);
  }

  /** Whether a linearization certainly exists. */
  public boolean linearizable() {
    return verdict == Verdict.LINEARIZABLE;
  }

  /** The files whose verdict is not linearizable or unknown. */
  public List<KeyResult> problems() {
    return keys.stream().filter(k -> k.verdict() != Verdict.LINEARIZABLE).toList();
  }

  /** An explanation of every problem, or an empty string if there is none. */
  public String explanation() {
    return problems().stream().map(KeyResult::summary).collect(Collectors.joining("\n"));
  }
}
