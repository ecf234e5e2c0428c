package io.tumbler.chaos.workload;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The spells without any successful operation: after a fault, how long the cell served nobody.
 * Every {@code ok} completion is noted with its time; a gap is the time between two consecutive
 * ones. Thread-safe.
 */
public final class FailoverGaps {

  /** A spell without success, on the history's clock. */
  public record Gap(long fromNs, long toNs) {
    public long millis() {
      return (toNs - fromNs) / 1_000_000;
    }
  }

  private final long thresholdNs;
  private final List<Gap> gaps = new ArrayList<>();
  private long lastOkNs = Long.MIN_VALUE;

  /**
   * @param thresholdMs gaps shorter than this are ordinary latency, not kept
   */
  public FailoverGaps(long thresholdMs) {
    this.thresholdNs = thresholdMs * 1_000_000;
  }

  /** Starts the clock: the first operation's wait counts as a gap too. */
  public synchronized void start(long nowNs) {
    if (lastOkNs == Long.MIN_VALUE) {
      lastOkNs = nowNs;
    }
  }

  public synchronized void ok(long nowNs) {
    if (lastOkNs != Long.MIN_VALUE && nowNs - lastOkNs >= thresholdNs) {
      gaps.add(new Gap(lastOkNs, nowNs));
    }
    lastOkNs = Math.max(lastOkNs, nowNs);
  }

  /** Every gap at or over the threshold, longest first. */
  public synchronized List<Gap> longestFirst() {
    List<Gap> sorted = new ArrayList<>(gaps);
    sorted.sort(Comparator.comparingLong((Gap g) -> g.toNs() - g.fromNs()).reversed());
    return sorted;
  }
}
