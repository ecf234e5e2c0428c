package io.tumbler.chaos.linearizability;

import static com.google.common.base.Verify.verify;

import io.tumbler.chaos.history.Call;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Looks for a linearization of the operations on one file: the Wing–Gong depth-first search with
 * Lowe's just-in-time linearization and memoization (as in Porcupine).
 *
 * <p>The history is a doubly linked list of entries in event order: a call entry per operation, and
 * a deadline entry per operation that must take effect (at its completion if ok; see {@link
 * RegisterOps}). The search walks the list from the front. The calls before the first deadline are
 * the <em>candidates</em>: everything that must precede them in real time is linearized. At a
 * candidate it tries to linearize that operation next (the model must allow it, and the resulting
 * configuration must be new); if it can, the operation's entries leave the list and the walk starts
 * again from the front. Reaching a deadline means an operation that has returned is still not
 * linearized: the search tries one anonymous bump (below), and failing that undoes the last choice
 * (the entries go back where they were) and resumes the walk after it. An indeterminate operation
 * has no deadline: it may be linearized at any point after its invoke, or never. The search
 * succeeds once every operation with a deadline is linearized.
 *
 * <p>Two reductions keep the search small; each keeps a linearization if there is one:
 *
 * <ul>
 *   <li>A read or mismatch that fits the current state is taken at once, with no alternative. Any
 *       linearization that places it later stays valid with it moved to now: it changes nothing, so
 *       the operations it jumps over see what they saw, and everything that must precede it in real
 *       time is linearized already (it is a candidate). Without this, concurrent reads would
 *       multiply the states by every subset of them.
 *   <li>Indeterminate writes and cas of values nobody read are not in the list: of those that may
 *       take effect now, {@link AnonymousBumps} offers the one worth trying, after the candidates,
 *       and only when it may help ({@link #bumpMayHelp}). Without this, each indeterminate
 *       operation that may or may not have taken effect would split the search in two for the rest
 *       of the history, and every walk would pass over the ones that never did.
 * </ul>
 *
 * <p>{@link RegisterOps} adds what the history implies (deadlines of indeterminate writes that a
 * read proves, the generations they produced), so that constraints bite where they arise.
 */
final class LinearizationSearch {

  /** Operations shown on each side of where a failed search got stuck. */
  private static final int CONTEXT_OPS = 6;

  private static final int NONE = -1;

  private final RegisterOps ops;
  private final long maxStates;

  // The entry list: entry 2i is op i's call, 2i+1 its deadline; then the two sentinels.
  private final int head;
  private final int tail;
  private final int[] next;
  private final int[] prev;

  private final long[] linearized;
  private final SearchMemo memo = new SearchMemo();
  private final AnonymousBumps bumps;

  // The current configuration and where the walk is.
  private int value;
  private long generation;
  private int boundedLeft;
  private int cursor;
  private boolean bumpTried;

  // The choices made, innermost last: the op's call entry, the state before it, where to resume
  // the walk if it is undone, and whether it was forced (an observation taken at once, with no
  // alternative to try instead).
  private final int[] stackEntry;
  private final int[] stackValue;
  private final long[] stackGeneration;
  private final int[] stackResume;
  private final boolean[] stackForced;
  private int depth;

  // Where the search got furthest, for the counterexample.
  private int bestDepth = -1;
  private int bestStuckOp;
  private RegisterState bestState;
  private List<Integer> bestTail;
  private List<Integer> bestOpen;

  private LinearizationSearch(RegisterOps ops, long maxStates) {
    this.ops = ops;
    this.maxStates = maxStates;
    head = 2 * ops.size;
    tail = head + 1;
    next = new int[tail + 1];
    prev = new int[tail + 1];
    linearized = new long[(ops.size + 63) / 64];
    stackEntry = new int[ops.size];
    stackValue = new int[ops.size];
    stackGeneration = new long[ops.size];
    stackResume = new int[ops.size];
    stackForced = new boolean[ops.size];
    bumps = new AnonymousBumps(ops);
    link();
  }

  /** Searches for a linearization of {@code ops}, giving up after {@code maxStates} states. */
  static KeyResult run(RegisterOps ops, long maxStates) {
    return new LinearizationSearch(ops, maxStates).search();
  }

  private void link() {
    List<long[]> entries = new ArrayList<>(); // {event index, entry}
    for (int op = 0; op < ops.size; op++) {
      if (ops.anonymousBump[op]) {
        continue; // offered by AnonymousBumps
      }
      entries.add(new long[] {ops.invokeIndex[op], 2L * op});
      if (ops.bounded(op)) {
        entries.add(new long[] {ops.deadlineIndex[op], 2L * op + 1});
      }
    }
    // Two deadlines may fall on one event (a read's completion proves a write): any order will do.
    entries.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[1]));
    int last = head;
    for (long[] e : entries) {
      int entry = (int) e[1];
      next[last] = entry;
      prev[entry] = last;
      last = entry;
    }
    next[last] = tail;
    prev[tail] = last;
  }

  private KeyResult search() {
    value = ops.initialValueId;
    generation = RegisterState.INITIAL.generation();
    boundedLeft = ops.boundedCount;
    boolean fromFront = true;
    while (boundedLeft > 0) {
      if (fromFront) {
        fromFront = false;
        int observation = observationThatFits();
        if (observation != NONE) {
          // Taken with no alternative: if that configuration was explored already, this one
          // fails too.
          if (tryLinearize(observation, true)) {
            if (memo.size() > maxStates) {
              return unknown();
            }
            fromFront = true;
          } else if (!backtrack()) {
            return notLinearizable();
          }
          continue;
        }
        cursor = next[head];
        bumpTried = false;
      }
      verify(cursor != tail, "walked past every deadline of %s", ops.key);
      int op = cursor >> 1;
      if ((cursor & 1) == 0) { // a candidate
        if (!ops.observes(op) && tryLinearize(cursor, false)) { // observations that fit were taken
          if (memo.size() > maxStates) {
            return unknown();
          }
          fromFront = true;
        } else {
          cursor = next[cursor];
        }
        continue;
      }
      // op has reached its deadline unlinearized: a bump may yet help, else undo the last choice
      if (!bumpTried && bumpMayHelp(op)) {
        bumpTried = true;
        int bump = bumps.choose(generation, ops.deadlineIndex[op]);
        if (bump != AnonymousBumps.NONE && tryLinearize(2 * bump, false)) {
          if (memo.size() > maxStates) {
            return unknown();
          }
          fromFront = true;
          continue;
        }
      }
      if (depth > bestDepth) {
        noteFurthest(op);
      }
      if (!backtrack()) {
        return notLinearizable();
      }
    }
    return new KeyResult(ops.key, Verdict.LINEARIZABLE, ops.size, memo.size(), depth, null);
  }

  /**
   * Whether an anonymous bump could let {@code stuck} take effect before its deadline. Not if it
   * needs the generation the file is at now (or an older one): a bump moves past it for good, and
   * the search would only find that out after trying every further bump on top. Without this check,
   * every dead end would cost one state per indeterminate write still pending.
   */
  private boolean bumpMayHelp(int stuck) {
    long required = RegisterModel.requiredGeneration(ops, stuck);
    return required == RegisterModel.ILLEGAL || required > generation;
  }

  /**
   * The call entry of a candidate read or mismatch that fits the current state, or {@link #NONE}.
   */
  private int observationThatFits() {
    for (int e = next[head]; e != tail && (e & 1) == 0; e = next[e]) {
      int op = e >> 1;
      if (ops.observes(op)
          && RegisterModel.step(ops, op, value, generation) != RegisterModel.ILLEGAL) {
        return e;
      }
    }
    return NONE;
  }

  /**
   * Linearizes the op of call {@code entry} next if the model allows it and the configuration it
   * leads to is new; the walk then starts again from the front.
   */
  private boolean tryLinearize(int entry, boolean forced) {
    int op = entry >> 1;
    long after = RegisterModel.step(ops, op, value, generation);
    if (after == RegisterModel.ILLEGAL) {
      return false;
    }
    int valueAfter = ops.writes(op) ? ops.valueId[op] : value;
    set(op);
    if (!memo.add(linearized, valueAfter, after)) {
      clear(op);
      return false;
    }
    stackEntry[depth] = entry;
    stackValue[depth] = value;
    stackGeneration[depth] = generation;
    stackResume[depth] = cursor;
    stackForced[depth] = forced;
    depth++;
    value = valueAfter;
    generation = after;
    if (ops.anonymousBump[op]) {
      bumps.taken(op);
    } else {
      lift(op);
    }
    if (ops.bounded(op)) {
      boundedLeft--;
    }
    return true;
  }

  /**
   * Undoes choices until one with alternatives left (a forced observation has none), and resumes
   * the walk where that choice was made: after a candidate, or at the deadline where a bump was
   * tried (the bump has been tried, then).
   *
   * @return false if there is nothing left to undo: no linearization exists
   */
  private boolean backtrack() {
    while (depth > 0) {
      depth--;
      int entry = stackEntry[depth];
      int op = entry >> 1;
      clear(op);
      if (ops.anonymousBump[op]) {
        bumps.undone(op);
      } else {
        unlift(op);
      }
      if (ops.bounded(op)) {
        boundedLeft++;
      }
      value = stackValue[depth];
      generation = stackGeneration[depth];
      if (!stackForced[depth]) {
        bumpTried = ops.anonymousBump[op];
        cursor = bumpTried ? stackResume[depth] : next[entry];
        return true;
      }
    }
    return false;
  }

  /** Takes op's entries out of the list (dancing links: they keep their own pointers). */
  private void lift(int op) {
    remove(2 * op);
    if (ops.bounded(op)) {
      remove(2 * op + 1);
    }
  }

  /** Puts op's entries back, in the reverse order of {@link #lift}. */
  private void unlift(int op) {
    if (ops.bounded(op)) {
      restore(2 * op + 1);
    }
    restore(2 * op);
  }

  private void remove(int entry) {
    next[prev[entry]] = next[entry];
    prev[next[entry]] = prev[entry];
  }

  private void restore(int entry) {
    next[prev[entry]] = entry;
    prev[next[entry]] = entry;
  }

  private void set(int op) {
    linearized[op >> 6] |= 1L << op;
  }

  private void clear(int op) {
    linearized[op >> 6] &= ~(1L << op);
  }

  private KeyResult unknown() {
    return new KeyResult(
        ops.key, Verdict.UNKNOWN, ops.size, memo.size(), Math.max(bestDepth, depth), null);
  }

  private KeyResult notLinearizable() {
    return new KeyResult(
        ops.key, Verdict.NOT_LINEARIZABLE, ops.size, memo.size(), bestDepth, counterexample());
  }

  /** Remembers the deepest point reached: the prefix's end, the state, what was still open. */
  private void noteFurthest(int stuckOp) {
    bestDepth = depth;
    bestStuckOp = stuckOp;
    bestState = new RegisterState(valueName(), generation);
    bestTail = new ArrayList<>();
    for (int i = Math.max(0, depth - CONTEXT_OPS); i < depth; i++) {
      bestTail.add(stackEntry[i] >> 1);
    }
    bestOpen = new ArrayList<>();
    for (int e = next[head]; e != 2 * stuckOp + 1 && bestOpen.size() < CONTEXT_OPS; e = next[e]) {
      if ((e & 1) == 0 && e >> 1 != stuckOp) {
        bestOpen.add(e >> 1);
      }
    }
  }

  /** The current value: an anonymous one is whatever the last write in the prefix set. */
  private String valueName() {
    if (value != RegisterOps.ANONYMOUS) {
      return ops.valueName(value);
    }
    for (int i = depth - 1; i >= 0; i--) {
      int op = stackEntry[i] >> 1;
      if (ops.writes(op)) {
        return RegisterOps.valueOf(ops.calls[op]);
      }
    }
    return RegisterState.INITIAL.value();
  }

  private Counterexample counterexample() {
    return new Counterexample(
        ops.key,
        bestDepth,
        ops.size,
        bestState,
        calls(bestTail),
        ops.calls[bestStuckOp],
        calls(bestOpen));
  }

  private List<Call> calls(List<Integer> ids) {
    return ids.stream().map(i -> ops.calls[i]).toList();
  }
}
