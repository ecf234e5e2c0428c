package io.tumbler.cell.master;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * A command that changes state, from when the master decides to make it until it is applied: the
 * cached paths it may change (uncachable until it is applied) and the sessions whose
 * acknowledgement of an invalidation it still waits for before it may be proposed.
 */
final class PendingWrite {

  final Set<String> paths;

  /** Session → the invalidation number it must acknowledge. */
  final Map<Long, Long> awaiting = new HashMap<>();

  PendingWrite(Set<String> paths) {
    this.paths = Set.copyOf(paths);
  }

  /** The session acknowledged invalidations through {@code number}, or no longer matters. */
  void acknowledged(long session, long number) {
    Long needed = awaiting.get(session);
    if (needed != null && needed <= number) {
      awaiting.remove(session);
    }
  }

  boolean ready() {
    return awaiting.isEmpty();
  }
}
