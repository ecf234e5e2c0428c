package io.tumbler.chaos.linearizability;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.chaos.history.Call;
import io.tumbler.chaos.history.EventType;
import io.tumbler.chaos.history.Operation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations on one file that constrain a linearization, compiled into arrays for the search.
 *
 * <p>What is kept: every ok operation, and every indeterminate write or cas (it may have taken
 * effect). What is dropped: fails (they certainly did not take effect) and indeterminate reads
 * (they changed nothing and reported nothing).
 *
 * <p>Each kept operation has a <em>deadline</em>, the event by which it must have taken effect: an
 * ok operation's own completion; an indeterminate one's never, unless a read returned the value it
 * alone wrote, in which case it certainly took effect, before the earliest such read completed.
 * Making that deadline explicit lets the search see the constraint where it arises instead of
 * discovering it by backtracking from the read.
 *
 * <p>Ids: operations with a deadline first, then those without, each group in invoke order. The
 * first group is linearized in any complete linearization, so the low words of the search's bitset
 * fill up as it goes and its memo keys stay short.
 *
 * <p>Values are interned. A written value that no read ever returned is <em>anonymous</em>: nothing
 * can tell it from another anonymous value, so all of them share one id ({@link #ANONYMOUS}), and
 * states that differ only in which unread value the file holds are one state to the memo.
 */
final class RegisterOps {

  /** The value id of every value no read returned. */
  static final int ANONYMOUS = -1;

  /** A generation the completion did not report. */
  static final long UNREPORTED = -1;

  enum Kind {
    /** An ok read: the file held (value, generation). */
    READ,
    /** An ok or indeterminate write: generation + 1, value set. */
    WRITE,
    /**
     * An ok swap, or an indeterminate cas: iff generation == expected, generation + 1, value set.
     */
    SWAP,
    /** An ok cas that found another generation: iff generation != expected, nothing changes. */
    MISMATCH
  }

  final String key;
  final int size;

  /** How many operations have a deadline (ids 0 .. boundedCount - 1). */
  final int boundedCount;

  final Kind[] kind;
  final int[] valueId;
  final long[] expectedGeneration;

  /**
   * The generation the completion reported (after a write or swap, seen by a read or mismatch), or
   * for a write or swap that did not report one, the generation a read of its value saw.
   */
  final long[] reportedGeneration;

  /**
   * Whether the op is an <em>anonymous bump</em>: an indeterminate write or cas of a value nobody
   * read, without a deadline. Taking effect, any of them does the same, adding one to the
   * generation and leaving a value nobody reads; the search exploits that.
   */
  final boolean[] anonymousBump;

  final long[] invokeIndex;

  /** The index of the event by which the op must have taken effect, or {@link Call#NEVER}. */
  final long[] deadlineIndex;

  final Call[] calls;
  final int initialValueId;

  /** The values reads returned, by id. */
  private final String[] readValues;

  private RegisterOps(
      String key,
      List<Call> kept,
      List<Long> deadlines,
      Map<String, Integer> ids,
      Map<String, Long> impliedGeneration) {
    this.key = key;
    this.size = kept.size();
    kind = new Kind[size];
    valueId = new int[size];
    expectedGeneration = new long[size];
    reportedGeneration = new long[size];
    anonymousBump = new boolean[size];
    invokeIndex = new long[size];
    deadlineIndex = new long[size];
    calls = kept.toArray(new Call[0]);
    initialValueId = ids.getOrDefault(RegisterState.INITIAL.value(), ANONYMOUS);
    readValues = new String[ids.size()];
    ids.forEach((v, id) -> readValues[id] = v);
    int bounded = 0;
    for (int i = 0; i < size; i++) {
      Call c = calls[i];
      invokeIndex[i] = c.invokeIndex();
      deadlineIndex[i] = deadlines.get(i);
      if (deadlineIndex[i] != Call.NEVER) {
        bounded++;
      }
      Operation op = c.completed();
      if (op instanceof Operation.Read r) {
        kind[i] = Kind.READ;
        valueId[i] = ids.get(r.value());
        reportedGeneration[i] = reported(r.generation(), null);
      } else if (op instanceof Operation.Write w) {
        kind[i] = Kind.WRITE;
        valueId[i] = ids.getOrDefault(w.value(), ANONYMOUS);
        reportedGeneration[i] = reported(w.generation(), impliedGeneration.get(w.value()));
      } else if (op instanceof Operation.Cas cas) {
        boolean mismatch = c.outcome() == EventType.OK && !cas.succeeded();
        kind[i] = mismatch ? Kind.MISMATCH : Kind.SWAP;
        valueId[i] = ids.getOrDefault(cas.value(), ANONYMOUS);
        expectedGeneration[i] = cas.expectedGeneration();
        reportedGeneration[i] =
            mismatch
                ? reported(cas.generation(), null)
                : reported(cas.generation(), impliedGeneration.get(cas.value()));
      } else {
        throw new AssertionError("not a register operation: " + op);
      }
      anonymousBump[i] = deadlineIndex[i] == Call.NEVER && writes(i) && valueId[i] == ANONYMOUS;
    }
    this.boundedCount = bounded;
  }

  /**
   * The operations among {@code calls} (all on {@code key}, in any order) that the search needs.
   */
  static RegisterOps of(String key, List<Call> calls) {
    Map<String, Integer> ids = new HashMap<>();
    Map<String, Long> firstReadOf = new HashMap<>();
    Map<String, Long> generationReadWith = new HashMap<>();
    Map<String, Integer> writersOf = new HashMap<>();
    for (Call c : calls) {
      checkArgument(c.f().onRegister() && c.key().equals(key), "not a register call on %s", key);
      if (c.outcome() == EventType.OK && c.completed() instanceof Operation.Read r) {
        ids.putIfAbsent(r.value(), ids.size());
        firstReadOf.merge(r.value(), c.completeIndex(), Math::min);
        if (r.generation() != null) {
          generationReadWith.putIfAbsent(r.value(), r.generation());
        }
      } else if (c.f() != Operation.Kind.READ) {
        writersOf.merge(valueOf(c), 1, Integer::sum);
      }
    }
    // A read of (v, g) where one op alone wrote v says that op produced g: a write or swap that did
    // not report its generation (an indeterminate one never does) gets it from the read, and the
    // search no longer tries it at every generation between its invoke and that read.
    // (The initial value proves nothing: a read of it may have seen the file before any write.)
    writersOf.remove(RegisterState.INITIAL.value());
    generationReadWith.keySet().removeIf(v -> writersOf.getOrDefault(v, 0) != 1);
    List<Call> bounded = new ArrayList<>();
    List<Call> unbounded = new ArrayList<>();
    Map<Call, Long> deadline = new HashMap<>();
    for (Call c : calls) {
      if (c.outcome() == EventType.OK) {
        bounded.add(c);
        deadline.put(c, c.completeIndex());
      } else if (c.outcome() == EventType.INFO && c.f() != Operation.Kind.READ) {
        String v = valueOf(c);
        Long seen = firstReadOf.get(v);
        if (seen != null && writersOf.getOrDefault(v, 0) == 1) { // a read proves it took effect
          bounded.add(c);
          deadline.put(c, seen);
        } else {
          unbounded.add(c);
          deadline.put(c, Call.NEVER);
        }
      }
    }
    bounded.sort(Comparator.comparingLong(Call::invokeIndex));
    unbounded.sort(Comparator.comparingLong(Call::invokeIndex));
    List<Call> kept = new ArrayList<>(bounded);
    kept.addAll(unbounded);
    return new RegisterOps(
        key, kept, kept.stream().map(deadline::get).toList(), ids, generationReadWith);
  }

  /** Whether the op must be linearized, by its deadline. */
  boolean bounded(int op) {
    return op < boundedCount;
  }

  /** Whether the op, when it takes effect, sets the value. */
  boolean writes(int op) {
    return kind[op] == Kind.WRITE || kind[op] == Kind.SWAP;
  }

  /** Whether the op changes nothing: a read, a mismatch. */
  boolean observes(int op) {
    return kind[op] == Kind.READ || kind[op] == Kind.MISMATCH;
  }

  /** The value a read returned, by its id. */
  String valueName(int id) {
    return readValues[id];
  }

  /** The value a write or cas call sets. */
  static String valueOf(Call call) {
    Operation op = call.invoked();
    if (op instanceof Operation.Write w) {
      return w.value();
    }
    if (op instanceof Operation.Cas c) {
      return c.value();
    }
    throw new AssertionError("sets no value: " + op);
  }

  /** The generation an op reported, else the one a read implied, else {@link #UNREPORTED}. */
  private static long reported(Long generation, Long implied) {
    if (generation != null) {
      return generation;
    }
    return implied == null ? UNREPORTED : implied;
  }
}
