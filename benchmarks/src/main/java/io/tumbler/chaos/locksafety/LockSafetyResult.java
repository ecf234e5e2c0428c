package io.tumbler.chaos.locksafety;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What the lock-safety checker found.
 *
 * @param violations every violation, resources first, in the order found
 * @param decisions how many resource decisions were checked
 * @param grants how many granted acquisitions were checked
 */
public record LockSafetyResult(List<LockViolation> violations, int decisions, int grants) {

  public LockSafetyResult {
    violations = List.copyOf(violations);
  }

  public int count() {
    return violations.size();
  }

  public boolean safe() {
    return violations.isEmpty();
  }

  /** One line per violation, or an empty string. */
  public String explanation() {
    return violations.stream().map(LockViolation::toString).collect(Collectors.joining("\n"));
  }
}
