package io.tumbler.chaos;

import io.tumbler.chaos.nemesis.FaultKind;
import io.tumbler.chaos.nemesis.FaultLog;
import io.tumbler.chaos.workload.FailoverGaps;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a chaos run found: counts, the three checkers' findings, the faults and the failover gaps,
 * and where the files are.
 *
 * @param ops operations in the history (register operations, acquires, fenced writes, releases)
 * @param ok operations that completed ok
 * @param failed operations that certainly did not take effect
 * @param indeterminate operations that may or may not have
 * @param linearizable {@code true}, {@code false} or {@code unknown} (the search ran out of budget)
 * @param lockViolations the lock-safety checker's findings
 * @param lostAckedWrites acknowledged writes the final state does not hold
 * @param seed the run's seed
 * @param faults faults injected, by kind
 * @param gaps spells of at least a second without any successful operation, longest first
 * @param faultLog every fault with its times, to name the fault behind each gap
 * @param recovered whether the cell served again after the faults were healed
 * @param problems explanations of every anomaly (and of a cell that did not recover)
 * @param history the history file
 * @param finalState the final-state file (null if the final state could not be read)
 * @param faultFile the nemesis's file
 */
public record ChaosReport(
    long ops,
    long ok,
    long failed,
    long indeterminate,
    String linearizable,
    int lockViolations,
    int lostAckedWrites,
    long seed,
    Map<FaultKind, Integer> faults,
    List<FailoverGaps.Gap> gaps,
    List<FaultLog.Entry> faultLog,
    boolean recovered,
    String problems,
    Path history,
    Path finalState,
    Path faultFile) {

  /** Gaps named in the second line. */
  static final int GAPS_SHOWN = 3;

  /** Whether anything was wrong: an anomaly, an undecided check, or a cell that stayed down. */
  public boolean anomalous() {
    return !"true".equals(linearizable)
        || lockViolations > 0
        || lostAckedWrites > 0
        || !recovered
        || finalState == null;
  }

  /** The summary line {@code scripts/chaos} prints. */
  public String summaryLine() {
    return "chaos: ops="
        + ops
        + " ok="
        + ok
        + " failed="
        + failed
        + " indeterminate="
        + indeterminate
        + " linearizable="
        + linearizable
        + " lock-violations="
        + lockViolations
        + " lost-acked-writes="
        + (finalState == null ? "unknown" : Integer.toString(lostAckedWrites))
        + " seed="
        + seed;
  }

  /** The faults survived and the longest spells without service, each with the fault before it. */
  public String gapsLine() {
    String faultCounts =
        faults.entrySet().stream()
            .map(e -> e.getKey().cliName() + ":" + e.getValue())
            .collect(Collectors.joining(","));
    long longestMs = gaps.isEmpty() ? 0 : gaps.get(0).millis();
    String top =
        gaps.stream()
            .limit(GAPS_SHOWN)
            .map(g -> seconds(g.millis()) + " " + cause(g))
            .collect(Collectors.joining("; "));
    return "failover-gaps: longest="
        + seconds(longestMs)
        + " over-1s="
        + gaps.size()
        + " faults="
        + (faultCounts.isEmpty() ? "none" : faultCounts)
        + (top.isEmpty() ? "" : " (" + top + ")");
  }

  /** The fault in place when the gap began, or the last one healed before it. */
  private String cause(FailoverGaps.Gap gap) {
    FaultLog.Entry best = null;
    for (FaultLog.Entry e : faultLog) {
      if (e.startNs() <= gap.toNs()) {
        best = e;
      }
    }
    return best == null ? "before any fault" : "around: " + best.fault().describe();
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
