package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.chaos.history.Event;
import io.tumbler.chaos.history.EventType;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.Operation;
import io.tumbler.chaos.linearizability.KeyResult;
import io.tumbler.chaos.linearizability.LinearizabilityChecker;
import io.tumbler.chaos.linearizability.LinearizabilityResult;
import io.tumbler.chaos.linearizability.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The linearizability checker accepts what a linearizable register does, however the operations
 * overlap and whatever became of the indeterminate ones, and catches what none can do. Randomized
 * tests take {@code -Dhistory.seed=} to replay one seed.
 */
class LinearizabilityCheckerTest {

  private static final SimulatedRegisters.Config BUSY =
      new SimulatedRegisters.Config(8, 4, 2_000, 5, 10);

  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  @Test
  void acceptsSimulatedLinearizableRegisters() {
    for (long seed : seeds(20)) {
      LinearizabilityResult result = checker.check(SimulatedRegisters.run(BUSY, seed).history());

      assertThat(result.verdict())
          .as("seed %d (-Dhistory.seed=%d): %s", seed, seed, result.explanation())
          .isEqualTo(Verdict.LINEARIZABLE);
    }
  }

  @Test
  void checksHistoriesThatReportNoGenerations() {
    // A client that only sees values: a plain register, harder to check, still decided.
    SimulatedRegisters.Config valuesOnly = new SimulatedRegisters.Config(5, 2, 600, 5, 10, false);
    for (long seed : seeds(10)) {
      SimulatedRegisters registers = SimulatedRegisters.run(valuesOnly, seed);

      LinearizabilityResult valid = checker.check(registers.history());
      LinearizabilityResult stale = checker.check(History.of(registers.withStaleRead().events()));

      assertThat(valid.verdict()).as("seed %d", seed).isEqualTo(Verdict.LINEARIZABLE);
      assertThat(stale.verdict()).as("seed %d", seed).isEqualTo(Verdict.NOT_LINEARIZABLE);
    }
  }

  @Test
  void catchesAStaleReadAndNamesItsKey() {
    for (long seed : seeds(10)) {
      SimulatedRegisters.PlantedRead planted = SimulatedRegisters.run(BUSY, seed).withStaleRead();

      LinearizabilityResult result = checker.check(History.of(planted.events()));

      assertThat(result.verdict()).as("seed %d", seed).isEqualTo(Verdict.NOT_LINEARIZABLE);
      assertThat(result.problems()).extracting(KeyResult::key).containsExactly(planted.key());
      assertThat(result.explanation()).contains(planted.key()).contains("not linearizable");
    }
  }

  @Test
  void explainsAStaleReadWithTheReadAndWhatItFollowed() {
    History h =
        new Histories()
            .ok(1, Operation.write("a", "1"), w -> w.produced(1L))
            .ok(1, Operation.write("a", "2"), w -> w.produced(2L))
            .ok(2, Operation.read("a"), r -> r.returned("1", 1L))
            .history();

    LinearizabilityResult result = checker.check(h);

    assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
    assertThat(result.explanation())
        .contains("key a: not linearizable")
        .contains("orders 2 of 3 operations and leaves \"2\" @2")
        .contains("p2 read a -> \"1\" @1 [ok, events #4..#5]")
        .contains("p1 write a \"2\" -> @2");
  }

  @Test
  void anIndeterminateWriteMayTakeEffectAfterItsClientGaveUp() {
    // p1's write times out; p2 still reads the old value; only later does the write show.
    Histories h = new Histories();
    h.invoke(1, Operation.write("a", "late"));
    h.info(1, Operation.write("a", "late"));
    h.ok(2, Operation.read("a"), r -> r.returned(null, 0L));
    h.ok(2, Operation.read("a"), r -> r.returned("late", 1L));

    assertThat(checker.check(h.history()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void anIndeterminateWriteMayNeverTakeEffect() {
    Histories h = new Histories();
    h.invoke(1, Operation.write("a", "lost"));
    h.info(1, Operation.write("a", "lost"));
    h.ok(2, Operation.write("a", "kept"), w -> w.produced(1L));
    h.ok(2, Operation.read("a"), r -> r.returned("kept", 1L));

    assertThat(checker.check(h.history()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void anOperationNeverCompletedIsIndeterminate() {
    Histories h = new Histories();
    h.invoke(1, Operation.write("a", "x"));
    h.ok(2, Operation.read("a"), r -> r.returned("x", 1L));

    assertThat(checker.check(h.history()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void aReadOfTheInitialValueProvesNoWriteOfIt() {
    // The empty value was written, indeterminately; reading it proves nothing: it was there first.
    Histories h = new Histories();
    h.invoke(1, Operation.write("a", null));
    h.info(1, Operation.write("a", null));
    h.ok(2, Operation.read("a"), r -> r.returned(null, 0L));
    h.ok(2, Operation.write("a", "x"), w -> w.produced(1L));

    assertThat(checker.check(h.history()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void aFailedWriteMustNotBeSeen() {
    Histories h = new Histories();
    h.invoke(1, Operation.write("a", "refused"));
    h.fail(1, Operation.write("a", "refused"));
    h.ok(2, Operation.read("a"), r -> r.returned("refused", 1L));

    LinearizabilityResult result = checker.check(h.history());

    assertThat(result.verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void aValueNobodyWroteCannotBeRead() {
    Histories h = new Histories();
    h.invoke(1, Operation.write("a", "x"));
    h.info(1, Operation.write("a", "x"));
    h.ok(2, Operation.read("a"), r -> r.returned("y", 1L));

    assertThat(checker.check(h.history()).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void unreadIndeterminateWritesExplainGenerationsButNoMoreThanThereAre() {
    // Four timed-out writes nobody read; a read then finds generation 3: three of them happened.
    Histories h = new Histories();
    for (int p = 1; p <= 4; p++) {
      h.invoke(p, Operation.write("a", "w" + p));
    }
    for (int p = 1; p <= 4; p++) {
      h.info(p, Operation.write("a", "w" + p));
    }
    Histories five = h.copy();
    h.ok(9, Operation.write("a", "seen"), w -> w.produced(4L));
    h.ok(9, Operation.read("a"), r -> r.returned("seen", 4L));
    five.ok(9, Operation.write("a", "seen"), w -> w.produced(6L));

    assertThat(checker.check(h.history()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(checker.check(five.history()).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void casSwapsOnlyAtTheExpectedGeneration() {
    Histories h = new Histories();
    h.ok(1, Operation.write("a", "x"), w -> w.produced(1L));
    h.ok(2, Operation.cas("a", 0, "y"), c -> c.swapped(1L));

    assertThat(checker.check(h.history()).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void aMismatchMustHaveSeenAnotherGeneration() {
    Histories ok = new Histories();
    ok.ok(1, Operation.write("a", "x"), w -> w.produced(1L));
    ok.ok(2, Operation.cas("a", 0, "y"), c -> c.mismatched(1L));
    Histories wrong = new Histories();
    wrong.ok(2, Operation.cas("a", 0, "y"), c -> c.mismatched(null));

    assertThat(checker.check(ok.history()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
    assertThat(checker.check(wrong.history()).verdict()).isEqualTo(Verdict.NOT_LINEARIZABLE);
  }

  @Test
  void concurrentOperationsMayTakeEffectInEitherOrder() {
    Histories h = new Histories();
    h.invoke(1, Operation.write("a", "1"));
    h.invoke(2, Operation.write("a", "2"));
    h.invoke(3, Operation.read("a"));
    h.done(3, Operation.read("a").returned("1", 2L));
    h.done(2, Operation.write("a", "2").produced(1L));
    h.done(1, Operation.write("a", "1").produced(2L));

    assertThat(checker.check(h.history()).verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  @Test
  void keysAreCheckedIndependently() {
    Histories h = new Histories();
    h.ok(1, Operation.write("a", "1"), w -> w.produced(1L));
    h.ok(1, Operation.write("b", "1"), w -> w.produced(1L));
    h.ok(2, Operation.read("b"), r -> r.returned(null, 0L));

    LinearizabilityResult result = checker.check(h.history());

    assertThat(result.problems()).extracting(KeyResult::key).containsExactly("b");
  }

  @Test
  void answersUnknownWhenTheStateBudgetRunsOut() {
    LinearizabilityChecker tiny = new LinearizabilityChecker(10);

    LinearizabilityResult result = tiny.check(SimulatedRegisters.run(BUSY, 1).history());

    assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(result.explanation()).contains("unknown after 11 states");
  }

  @Test
  void decidesATwentyThousandOperationHistoryOverTwentyKeys() {
    // Not a timed assertion: a sanity check that the search stays small. The time is printed.
    SimulatedRegisters.Config big = new SimulatedRegisters.Config(10, 20, 20_000, 5, 10);
    History history = SimulatedRegisters.run(big, seeds(1).get(0)).history();

    long startNs = System.nanoTime();
    LinearizabilityResult result = checker.check(history);
    long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;

    long states = result.keys().stream().mapToLong(KeyResult::statesExplored).sum();
    System.out.printf(
        "linearizability: %d events, %d keys, %d states, %d ms%n",
        history.events().size(), result.keys().size(), states, elapsedMs);
    assertThat(result.verdict()).isEqualTo(Verdict.LINEARIZABLE);
  }

  /** {@code count} seeds, or the one given with {@code -Dhistory.seed=}. */
  static List<Long> seeds(int count) {
    String fixed = System.getProperty("history.seed");
    if (fixed != null) {
      return List.of(Long.parseLong(fixed));
    }
    Random r = new Random();
    List<Long> seeds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      seeds.add(r.nextLong());
    }
    return seeds;
  }

  /** Small hand-written histories: one event per call, times equal to indices. */
  static final class Histories {
    private final List<Event> events = new ArrayList<>();

    Histories invoke(int process, Operation op) {
      return add(process, EventType.INVOKE, op, null);
    }

    /** Invokes {@code op} and completes it ok with the results {@code complete} adds. */
    <T extends Operation> Histories ok(
        int process, T op, java.util.function.Function<T, Operation> complete) {
      invoke(process, op);
      return add(process, EventType.OK, complete.apply(op), null);
    }

    /** Completes the operation {@code process} has outstanding, ok, as {@code completed}. */
    Histories done(int process, Operation completed) {
      return add(process, EventType.OK, completed, null);
    }

    Histories fail(int process, Operation op) {
      return add(process, EventType.FAIL, op, "refused");
    }

    Histories info(int process, Operation op) {
      return add(process, EventType.INFO, op, "timeout");
    }

    Histories add(int process, EventType type, Operation op, String error) {
      events.add(new Event(events.size(), events.size(), process, type, op, error));
      return this;
    }

    Histories copy() {
      Histories c = new Histories();
      c.events.addAll(events);
      return c;
    }

    List<Event> events() {
      return List.copyOf(events);
    }

    History history() {
      return History.of(events);
    }
  }
}
