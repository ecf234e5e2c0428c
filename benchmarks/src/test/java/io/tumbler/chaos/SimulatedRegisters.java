package io.tumbler.chaos;

import io.tumbler.chaos.history.Event;
import io.tumbler.chaos.history.EventType;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.TreeMap;

/**
 * Histories of clients using linearizable registers, made up by a seeded simulation: each operation
 * is invoked, takes effect atomically at a point strictly inside its interval, and completes; so
 * the histories are linearizable by construction. Some operations fail (take no effect), some
 * complete indeterminate (info): of those, some never take effect and some take effect later, even
 * after the client has given up on them and moved on.
 *
 * <p>It also remembers enough to plant a fault: which operation produced each generation, so that a
 * read can be made stale in a way no linearization can excuse.
 */
final class SimulatedRegisters {

  /**
   * How to simulate.
   *
   * @param processes concurrent clients (the concurrency of the history)
   * @param keys files
   * @param operations operations to invoke in all
   * @param failPercent of operations that fail (no effect)
   * @param infoPercent of operations that end indeterminate
   * @param reportGenerations whether completions say which generation they saw or produced (a
   *     client that only sees values makes a harder history to check)
   */
  record Config(
      int processes,
      int keys,
      int operations,
      int failPercent,
      int infoPercent,
      boolean reportGenerations) {

    Config(int processes, int keys, int operations, int failPercent, int infoPercent) {
      this(processes, keys, operations, failPercent, infoPercent, true);
    }
  }

  /** One simulated operation, filled in as the simulation goes. */
  private static final class Op {
    final int process;
    final Operation call;
    EventType outcome = EventType.OK;
    boolean takesEffect = true;
    Operation completed;
    long invokeIndex = -1;
    long completeIndex = -1;
    long producedGeneration = -1; // for writes and swaps that took effect
    long observedGeneration = -1; // for reads that took effect

    Op(int process, Operation call) {
      this.process = process;
      this.call = call;
    }
  }

  private record Step(long timeNs, long seq, Op op, int kind) {
    static final int INVOKE = 0;
    static final int TAKE_EFFECT = 1;
    static final int COMPLETE = 2;
  }

  private static final long TIMEOUT_NS = 150;

  private final Config config;
  private final Random random;
  private final List<Event> events = new ArrayList<>();
  private final List<Op> ops = new ArrayList<>();
  private final Map<String, String> values = new TreeMap<>();
  private final Map<String, Long> generations = new TreeMap<>();

  /** Per key, the operation that produced each generation (index = generation - 1). */
  private final Map<String, List<Op>> producers = new HashMap<>();

  private SimulatedRegisters(Config config, long seed) {
    this.config = config;
    this.random = new Random(seed);
  }

  /** Runs the simulation for {@code config} from {@code seed}. */
  static SimulatedRegisters run(Config config, long seed) {
    SimulatedRegisters s = new SimulatedRegisters(config, seed);
    s.simulate();
    return s;
  }

  History history() {
    return History.of(events);
  }

  List<Event> events() {
    return List.copyOf(events);
  }

  /** What each file held at the end (every operation that was to take effect has). */
  Map<String, FinalValue> finalState() {
    Map<String, FinalValue> state = new TreeMap<>();
    for (int k = 0; k < config.keys; k++) {
      String key = key(k);
      state.put(key, new FinalValue(key, values.get(key), generations.getOrDefault(key, 0L)));
    }
    return state;
  }

  /**
   * The final state as a cell that lost the tail of one file's log would show it: the file goes
   * back to just before the last generation an acknowledged write produced, as if a failover had
   * lost every write from that one on.
   *
   * @return the damaged final state, and the key that lost writes
   */
  LostTail finalStateLosingTheLastAckedWrite() {
    for (Map.Entry<String, List<Op>> e : producers.entrySet()) {
      List<Op> byGeneration = e.getValue();
      for (int g = byGeneration.size(); g >= 1; g--) {
        if (byGeneration.get(g - 1).outcome == EventType.OK) {
          Map<String, FinalValue> state = finalState();
          String before = g == 1 ? null : valueOf(byGeneration.get(g - 2));
          state.put(e.getKey(), new FinalValue(e.getKey(), before, g - 1));
          return new LostTail(state, e.getKey());
        }
      }
    }
    throw new IllegalStateException("no acknowledged write; simulate more operations");
  }

  /** A final state that lost the tail of {@code key}'s writes. */
  record LostTail(Map<String, FinalValue> finalState, String key) {}

  /**
   * The events with one read made stale: an ok read near the middle of the history now returns an
   * older value (and its generation) that had certainly been overwritten before the read began: a
   * write of it completed before a later write began, which itself completed before the read began.
   * No linearization can excuse that, whatever a checker may do with generations nobody reported.
   *
   * @return the events, the planted read's key and the index of its completion
   */
  PlantedRead withStaleRead() {
    Op victim = null;
    long[] victimStale = null;
    long middle = events.size() / 2;
    for (Op op : ops) {
      if (op.outcome != EventType.OK || !(op.completed instanceof Operation.Read)) {
        continue;
      }
      if (victim != null
          && Math.abs(op.completeIndex - middle) >= Math.abs(victim.completeIndex - middle)) {
        continue;
      }
      long[] stale = overwrittenBefore(op);
      if (stale != null) {
        victim = op;
        victimStale = stale;
      }
    }
    if (victim == null) {
      throw new IllegalStateException("no read to make stale; simulate more operations");
    }
    Operation.Read read = (Operation.Read) victim.completed;
    long older = victimStale[0];
    String olderValue = older == 0 ? null : valueOf(producers.get(read.key()).get((int) older - 1));
    List<Event> planted = new ArrayList<>(events);
    Event e = events.get((int) victim.completeIndex);
    planted.set(
        (int) victim.completeIndex,
        new Event(
            e.index(),
            e.timeNs(),
            e.process(),
            e.type(),
            read.call().returned(olderValue, read.generation() == null ? null : older),
            null));
    return new PlantedRead(planted, read.key(), victim.completeIndex);
  }

  /**
   * A generation h (as {@code {h}}) older than what {@code read} saw, whose value was certainly
   * overwritten before the read began; {@code null} if there is none.
   */
  private long[] overwrittenBefore(Op read) {
    List<Op> byGeneration = producers.getOrDefault(read.call.key(), List.of());
    for (long k = read.observedGeneration; k >= 1; k--) {
      Op overwriter = byGeneration.get((int) k - 1);
      if (overwriter.outcome != EventType.OK || overwriter.completeIndex > read.invokeIndex) {
        continue;
      }
      for (long h = k - 1; h >= 0; h--) {
        if (h == 0) {
          return new long[] {0}; // the file's initial value, gone once anything was written
        }
        Op writer = byGeneration.get((int) h - 1);
        if (writer.outcome == EventType.OK && writer.completeIndex < overwriter.invokeIndex) {
          return new long[] {h};
        }
      }
    }
    return null;
  }

  /** Events with a stale read planted, the read's key and the index of its completion. */
  record PlantedRead(List<Event> events, String key, long completeIndex) {}

  private static String valueOf(Op producer) {
    return producer.call instanceof Operation.Write w
        ? w.value()
        : ((Operation.Cas) producer.call).value();
  }

  private static String key(int k) {
    return "/ls/local/register-" + k;
  }

  private void simulate() {
    PriorityQueue<Step> queue =
        new PriorityQueue<>(
            (a, b) ->
                a.timeNs != b.timeNs
                    ? Long.compare(a.timeNs, b.timeNs)
                    : Long.compare(a.seq, b.seq));
    long[] seq = {0};
    Map<Integer, Map<String, Long>> lastSeen = new HashMap<>();
    int invoked = 0;
    for (int p = 0; p < config.processes; p++) {
      queue.add(new Step(random.nextInt(20), seq[0]++, newOp(p, lastSeen), Step.INVOKE));
      invoked++;
    }
    while (!queue.isEmpty()) {
      Step step = queue.poll();
      Op op = step.op;
      long now = step.timeNs;
      switch (step.kind) {
        case Step.INVOKE -> {
          op.invokeIndex = record(now, op.process, EventType.INVOKE, op.call);
          int roll = random.nextInt(100);
          if (roll < config.failPercent) {
            op.outcome = EventType.FAIL;
            op.takesEffect = false;
            queue.add(new Step(now + 1 + random.nextInt(100), seq[0]++, op, Step.COMPLETE));
          } else if (roll < config.failPercent + config.infoPercent) {
            op.outcome = EventType.INFO;
            op.takesEffect = random.nextBoolean();
            if (op.takesEffect) { // perhaps long after the client gave up
              queue.add(new Step(now + 1 + random.nextInt(400), seq[0]++, op, Step.TAKE_EFFECT));
            }
            queue.add(new Step(now + TIMEOUT_NS, seq[0]++, op, Step.COMPLETE));
          } else {
            long effect = now + 1 + random.nextInt(100);
            queue.add(new Step(effect, seq[0]++, op, Step.TAKE_EFFECT));
            queue.add(new Step(effect + 1 + random.nextInt(100), seq[0]++, op, Step.COMPLETE));
          }
        }
        case Step.TAKE_EFFECT -> takeEffect(op, lastSeen);
        case Step.COMPLETE -> {
          Operation completed = op.outcome == EventType.OK ? op.completed : op.call;
          op.completeIndex = record(now, op.process, op.outcome, completed);
          if (op.outcome == EventType.OK) {
            op.completed = completed;
          }
          if (invoked < config.operations) {
            long start = now + 1 + random.nextInt(20);
            queue.add(new Step(start, seq[0]++, newOp(op.process, lastSeen), Step.INVOKE));
            invoked++;
          }
        }
        default -> throw new AssertionError(step.kind);
      }
    }
  }

  private Op newOp(int process, Map<Integer, Map<String, Long>> lastSeen) {
    String key = key(random.nextInt(config.keys));
    int roll = random.nextInt(100);
    Operation call;
    if (roll < 40) {
      call = Operation.read(key);
    } else if (roll < 75) {
      call = Operation.write(key, "p" + process + "-" + ops.size());
    } else {
      long expected = lastSeen.getOrDefault(process, Map.of()).getOrDefault(key, 0L);
      call = Operation.cas(key, expected, "p" + process + "-" + ops.size());
    }
    Op op = new Op(process, call);
    ops.add(op);
    return op;
  }

  private void takeEffect(Op op, Map<Integer, Map<String, Long>> lastSeen) {
    if (!op.takesEffect) {
      return;
    }
    String key = op.call.key();
    long generation = generations.getOrDefault(key, 0L);
    Map<String, Long> seen = lastSeen.computeIfAbsent(op.process, p -> new HashMap<>());
    if (op.call instanceof Operation.Read r) {
      op.completed = r.returned(values.get(key), reported(generation));
      op.observedGeneration = generation;
      seen.put(key, generation);
    } else if (op.call instanceof Operation.Write w) {
      produce(op, key, w.value(), generation + 1);
      op.completed = w.produced(reported(generation + 1));
      seen.put(key, generation + 1);
    } else if (op.call instanceof Operation.Cas c) {
      if (generation == c.expectedGeneration()) {
        produce(op, key, c.value(), generation + 1);
        op.completed = c.swapped(reported(generation + 1));
        seen.put(key, generation + 1);
      } else {
        op.completed = c.mismatched(reported(generation));
        seen.put(key, generation);
      }
    }
  }

  private Long reported(long generation) {
    return config.reportGenerations ? generation : null;
  }

  private void produce(Op op, String key, String value, long generation) {
    values.put(key, value);
    generations.put(key, generation);
    op.producedGeneration = generation;
    producers.computeIfAbsent(key, k -> new ArrayList<>()).add(op);
  }

  private long record(long timeNs, int process, EventType type, Operation op) {
    long index = events.size();
    events.add(
        new Event(index, timeNs, process, type, op, type == EventType.INFO ? "timeout" : null));
    return index;
  }
}
