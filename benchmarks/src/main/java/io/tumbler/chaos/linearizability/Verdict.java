package io.tumbler.chaos.linearizability;

/** What the linearizability checker concluded. */
public enum Verdict {
  /** A linearization exists. */
  LINEARIZABLE("true"),
  /** None exists: the history shows an anomaly. */
  NOT_LINEARIZABLE("false"),
  /** The search ran out of its state budget before deciding. */
  UNKNOWN("unknown");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  /** {@code true}, {@code false} or {@code unknown}, as {@code linearizable=} prints it. */
  public String label() {
    return label;
  }

  /** The verdict on a whole history from the verdicts on its parts: any anomaly decides it. */
  public Verdict and(Verdict other) {
    if (this == NOT_LINEARIZABLE || other == NOT_LINEARIZABLE) {
      return NOT_LINEARIZABLE;
    }
    return this == UNKNOWN || other == UNKNOWN ? UNKNOWN : LINEARIZABLE;
  }
}
