package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.chaos.history.Call;
import io.tumbler.chaos.history.Event;
import io.tumbler.chaos.history.EventType;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.Operation;
import io.tumbler.chaos.linearizability.LinearizabilityChecker;
import io.tumbler.chaos.linearizability.Verdict;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The checker's search prunes hard (greedy reads, one bump for many, implied deadlines and
 * generations). Each pruning rule is argued in its comment; this test checks the arguments: on
 * thousands of small random histories, linearizable or not, with duplicate values, empty values,
 * unreported generations and every kind of outcome, it must agree with a brute-force search that
 * tries every order of every subset of the indeterminate operations.
 */
class LinearizabilityDifferentialTest {

  private static final int HISTORIES = 3_000;

  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  @Test
  void agreesWithBruteForceOnSmallRandomHistories() {
    for (long seed : LinearizabilityCheckerTest.seeds(1)) {
      Random random = new Random(seed);
      int linearizable = 0;
      for (int i = 0; i < HISTORIES; i++) {
        History h = i % 2 == 0 ? randomHistory(random) : perturbedSimulation(random);
        boolean expected = BruteForce.linearizable(h.calls());

        Verdict actual = checker.check(h).verdict();

        assertThat(actual)
            .as("seed %d (-Dhistory.seed=%d), history %d:%n%s", seed, seed, i, h.events())
            .isEqualTo(expected ? Verdict.LINEARIZABLE : Verdict.NOT_LINEARIZABLE);
        linearizable += expected ? 1 : 0;
      }
      // Both answers must be common, or the comparison proves little.
      assertThat(linearizable).isBetween(HISTORIES / 10, HISTORIES * 9 / 10);
    }
  }

  /**
   * A small history of a linearizable register, with one ok result changed half the time: near
   * misses, some still linearizable, most not.
   */
  private static History perturbedSimulation(Random random) {
    SimulatedRegisters.Config config =
        new SimulatedRegisters.Config(2 + random.nextInt(3), 1, 7, 10, 30, random.nextBoolean());
    List<Event> events =
        new ArrayList<>(SimulatedRegisters.run(config, random.nextLong()).events());
    if (random.nextBoolean()) {
      int i = random.nextInt(events.size());
      Event e = events.get(i);
      if (e.type() == EventType.OK) {
        events.set(
            i,
            new Event(e.index(), e.timeNs(), e.process(), e.type(), perturb(random, e.op()), null));
      }
    }
    return History.of(events);
  }

  private static Operation perturb(Random random, Operation op) {
    if (op instanceof Operation.Read r) {
      return random.nextBoolean()
          ? r.call().returned(pooled(random), r.generation())
          : r.call().returned(r.value(), r.generation() == null ? 1L : r.generation() + 1);
    }
    if (op instanceof Operation.Write w) {
      return w.call().produced(w.generation() == null ? 1L : w.generation() + 1);
    }
    Operation.Cas c = (Operation.Cas) op;
    return c.succeeded() ? c.call().mismatched(null) : c.call().swapped(null);
  }

  /** Up to 4 processes, up to 8 operations on one file, results drawn from small pools. */
  private static History randomHistory(Random random) {
    int processes = 2 + random.nextInt(3);
    int operations = 3 + random.nextInt(6);
    List<Event> events = new ArrayList<>();
    Operation[] outstanding = new Operation[processes];
    int invoked = 0;
    while (invoked < operations || anyOutstanding(outstanding)) {
      int p = random.nextInt(processes);
      if (outstanding[p] == null) {
        if (invoked == operations) {
          continue;
        }
        outstanding[p] = randomCall(random, invoked++);
        events.add(event(events.size(), p, EventType.INVOKE, outstanding[p]));
      } else if (random.nextInt(10) == 0 && invoked == operations) {
        outstanding[p] = null; // never completes: the history ends first
      } else {
        int roll = random.nextInt(10);
        EventType type = roll < 7 ? EventType.OK : roll < 9 ? EventType.INFO : EventType.FAIL;
        Operation done =
            type == EventType.OK ? randomResult(random, outstanding[p]) : outstanding[p];
        events.add(event(events.size(), p, type, done));
        outstanding[p] = null;
      }
    }
    return History.of(events);
  }

  private static boolean anyOutstanding(Operation[] outstanding) {
    for (Operation o : outstanding) {
      if (o != null) {
        return true;
      }
    }
    return false;
  }

  private static Event event(int index, int process, EventType type, Operation op) {
    return new Event(index, index, process, type, op, null);
  }

  private static Operation randomCall(Random random, int n) {
    // values: mostly unique, sometimes shared or empty, so every rule about values is exercised
    String value = random.nextInt(4) == 0 ? pooled(random) : "w" + n;
    switch (random.nextInt(3)) {
      case 0:
        return Operation.read("a");
      case 1:
        return Operation.write("a", value);
      default:
        return Operation.cas("a", random.nextInt(3), value);
    }
  }

  private static Operation randomResult(Random random, Operation call) {
    Long generation = random.nextInt(4) == 0 ? null : (long) random.nextInt(4);
    if (call instanceof Operation.Read r) {
      String value = random.nextBoolean() ? pooled(random) : "w" + random.nextInt(8);
      return r.returned(value, generation);
    }
    if (call instanceof Operation.Write w) {
      return w.produced(generation == null ? null : generation + 1);
    }
    Operation.Cas c = (Operation.Cas) call;
    return random.nextBoolean()
        ? c.swapped(random.nextBoolean() ? null : c.expectedGeneration() + 1)
        : c.mismatched(generation);
  }

  private static String pooled(Random random) {
    int i = random.nextInt(3);
    return i == 0 ? null : "shared" + i;
  }

  /** Tries every order of the ok operations with every subset of the indeterminate ones. */
  static final class BruteForce {
    private final List<Call> ops = new ArrayList<>();
    private final Set<List<Object>> failed = new HashSet<>();

    static boolean linearizable(List<Call> calls) {
      BruteForce b = new BruteForce();
      for (Call c : calls) {
        boolean indeterminateRead = c.outcome() == EventType.INFO && c.f() == Operation.Kind.READ;
        if (c.outcome() != EventType.FAIL && !indeterminateRead) {
          b.ops.add(c);
        }
      }
      return b.search(0L, null, 0);
    }

    private boolean search(long used, String value, long generation) {
      boolean allOk = true;
      for (int i = 0; i < ops.size(); i++) {
        if ((used & (1L << i)) == 0 && ops.get(i).outcome() == EventType.OK) {
          allOk = false;
        }
      }
      if (allOk) {
        return true;
      }
      List<Object> key = List.of(used, Objects.toString(value, "\0"), generation);
      if (failed.contains(key)) {
        return false;
      }
      for (int i = 0; i < ops.size(); i++) {
        if ((used & (1L << i)) != 0 || !predecessorsUsed(used, ops.get(i))) {
          continue;
        }
        Operation op = ops.get(i).completed();
        boolean ok = ops.get(i).outcome() == EventType.OK;
        if (op instanceof Operation.Read r) {
          if (Objects.equals(r.value(), value)
              && (r.generation() == null || r.generation() == generation)
              && search(used | 1L << i, value, generation)) {
            return true;
          }
        } else if (op instanceof Operation.Write w) {
          if ((w.generation() == null || w.generation() == generation + 1)
              && search(used | 1L << i, w.value(), generation + 1)) {
            return true;
          }
        } else {
          Operation.Cas c = (Operation.Cas) op;
          boolean swap = !ok || c.succeeded();
          if (swap) {
            if (generation == c.expectedGeneration()
                && (c.generation() == null || c.generation() == generation + 1)
                && search(used | 1L << i, c.value(), generation + 1)) {
              return true;
            }
          } else if (generation != c.expectedGeneration()
              && (c.generation() == null || c.generation() == generation)
              && search(used | 1L << i, value, generation)) {
            return true;
          }
        }
      }
      failed.add(key);
      return false;
    }

    /** Whether every ok operation that completed before {@code c} was invoked is used. */
    private boolean predecessorsUsed(long used, Call c) {
      for (int j = 0; j < ops.size(); j++) {
        if ((used & (1L << j)) == 0 && ops.get(j).precedes(c)) {
          return false;
        }
      }
      return true;
    }
  }
}
