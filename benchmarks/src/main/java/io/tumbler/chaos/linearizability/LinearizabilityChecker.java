package io.tumbler.chaos.linearizability;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.chaos.history.Call;
import io.tumbler.chaos.history.History;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks that the read, write and cas operations of a history are linearizable, each file being a
 * register with versioned compare-and-swap ({@link RegisterModel}). The history is first split by
 * file: operations on different files commute, so it is linearizable iff each file's part is
 * (P-compositionality, Horn and Kroening), and the searches stay small. Each file's search is
 * bounded by a state budget and reports {@link Verdict#UNKNOWN} when it runs out rather than run
 * for hours. Pure: no threads, no clock; times are what the history says.
 *
 * <p>Lock and fenced-write operations are not registers and are left to the lock-safety checker.
 */
public final class LinearizabilityChecker {

  /**
   * The default budget of distinct configurations per file. A configuration costs about 150 bytes,
   * so this bounds a file's search to roughly 150 MB. A history that reports generations needs
   * about one per operation, linearizable or not (20,000 operations on one file with concurrency 10
   * and 10% indeterminate: about 25,000); one that reports only values can need far more.
   */
  public static final long DEFAULT_MAX_STATES_PER_KEY = 1_000_000;

  private final long maxStatesPerKey;

  public LinearizabilityChecker() {
    this(DEFAULT_MAX_STATES_PER_KEY);
  }

  public LinearizabilityChecker(long maxStatesPerKey) {
    checkArgument(maxStatesPerKey > 0, "maxStatesPerKey must be > 0");
    this.maxStatesPerKey = maxStatesPerKey;
  }

  public LinearizabilityResult check(History history) {
    Map<String, List<Call>> byKey = new TreeMap<>();
    for (Call c : history.calls()) {
      if (c.f().onRegister()) {
        byKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
      }
    }
    Verdict verdict = Verdict.LINEARIZABLE;
    List<KeyResult> results = new ArrayList<>();
    for (Map.Entry<String, List<Call>> e : byKey.entrySet()) {
      KeyResult r =
          LinearizationSearch.run(RegisterOps.of(e.getKey(), e.getValue()), maxStatesPerKey);
      results.add(r);
      verdict = verdict.and(r.verdict());
    }
    return new LinearizabilityResult(verdict, results);
  }
}
