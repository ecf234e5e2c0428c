package io.tumbler.chaos.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The anonymous bumps of one file ({@link RegisterOps#anonymousBump}), kept out of the search's
 * entry list. Indeterminate operations that never took effect stay pending to the end of the
 * history; in the list, every walk would pass over all of them, and trying them in invoke order
 * would try the oldest (and least likely) first. Here the search asks for the one bump worth trying
 * once the other candidates are exhausted:
 *
 * <ul>
 *   <li>a cas expecting the current generation, if one was invoked in time: it can take effect now
 *       or never, so using it leaves every write for later;
 *   <li>else the earliest-invoked write not yet used: writes are interchangeable, so those used are
 *       always the earliest ones, and a count says which.
 * </ul>
 */
final class AnonymousBumps {

  static final int NONE = -1;

  private final RegisterOps ops;
  private final int[] writes;
  private int writesUsed;
  private final Map<Long, int[]> swapsByExpectedGeneration = new HashMap<>();

  AnonymousBumps(RegisterOps ops) {
    this.ops = ops;
    List<Integer> w = new ArrayList<>();
    Map<Long, List<Integer>> swaps = new HashMap<>();
    for (int op = 0; op < ops.size; op++) { // ids are in invoke order within a group
      if (!ops.anonymousBump[op]) {
        continue;
      }
      if (ops.kind[op] == RegisterOps.Kind.WRITE) {
        w.add(op);
      } else {
        swaps.computeIfAbsent(ops.expectedGeneration[op], g -> new ArrayList<>()).add(op);
      }
    }
    writes = w.stream().mapToInt(Integer::intValue).toArray();
    swaps.forEach(
        (g, list) ->
            swapsByExpectedGeneration.put(g, list.stream().mapToInt(Integer::intValue).toArray()));
  }

  /**
   * The bump to try in a state at {@code generation}, among those invoked before event {@code
   * beforeIndex}, or {@link #NONE}. A cas expecting this generation cannot have been used on the
   * search's path (using it moved the generation past), so the earliest is free.
   */
  int choose(long generation, long beforeIndex) {
    int[] swaps = swapsByExpectedGeneration.get(generation);
    if (swaps != null && ops.invokeIndex[swaps[0]] < beforeIndex) {
      return swaps[0];
    }
    if (writesUsed < writes.length && ops.invokeIndex[writes[writesUsed]] < beforeIndex) {
      return writes[writesUsed];
    }
    return NONE;
  }

  /** The search linearized bump {@code op}. */
  void taken(int op) {
    if (ops.kind[op] == RegisterOps.Kind.WRITE) {
      writesUsed++;
    }
  }

  /** The search undid bump {@code op}. */
  void undone(int op) {
    if (ops.kind[op] == RegisterOps.Kind.WRITE) {
      writesUsed--;
    }
  }
}
