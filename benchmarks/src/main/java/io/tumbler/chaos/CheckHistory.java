package io.tumbler.chaos;

import io.tumbler.chaos.durability.DurabilityChecker;
import io.tumbler.chaos.durability.DurabilityResult;
import io.tumbler.chaos.history.FinalStateFile;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.HistoryReader;
import io.tumbler.chaos.history.MalformedHistoryException;
import io.tumbler.chaos.linearizability.LinearizabilityChecker;
import io.tumbler.chaos.linearizability.LinearizabilityResult;
import io.tumbler.chaos.linearizability.Verdict;
import io.tumbler.chaos.locksafety.LockSafetyChecker;
import io.tumbler.chaos.locksafety.LockSafetyResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Re-checks a recorded history (docs/testing.md, "History format") with the three checkers, so that
 * anyone can verify a chaos run's history after the fact. Prints one summary line, {@code
 * linearizable=<true|false|unknown> lock-violations=<n> lost-acked-writes=<n>}, then an explanation
 * of each finding.
 */
@Command(
    name = "check-history",
    mixinStandardHelpOptions = true,
    description = "Checks a history file for linearizability, lock safety and durability.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:nothing wrong found",
      "1:an anomaly: not linearizable, a lock violation or a lost acknowledged write",
      "2:a file could not be read, or bad usage",
      "3:nothing wrong found, but linearizability is unknown (the state budget ran out)"
    })
public final class CheckHistory implements Callable<Integer> {

  static final int ANOMALY = 1;
  static final int BAD_INPUT = 2;
  static final int UNDECIDED = 3;

  @Parameters(index = "0", paramLabel = "HISTORY", description = "The history, JSON lines.")
  Path history;

  @Option(
      names = "--final-state",
      paramLabel = "FILE",
      description =
          "Each file's contents and generation read after all faults healed, JSON lines; without"
              + " it durability is not checked (lost-acked-writes=unchecked).")
  Path finalState;

  @Option(
      names = "--max-states-per-key",
      paramLabel = "N",
      description = "The linearizability search's budget per file (default: ${DEFAULT-VALUE}).")
  long maxStatesPerKey = LinearizabilityChecker.DEFAULT_MAX_STATES_PER_KEY;

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CheckHistory()).execute(args));
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (maxStatesPerKey <= 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--max-states-per-key must be > 0");
    }
    History h;
    Map<String, FinalValue> last;
    try {
      h = HistoryReader.read(history);
      last = finalState == null ? null : FinalStateFile.read(finalState);
    } catch (IOException | MalformedHistoryException e) {
      err.println("check-history: " + e.getMessage());
      return BAD_INPUT;
    }
    LinearizabilityResult linearizability = new LinearizabilityChecker(maxStatesPerKey).check(h);
    LockSafetyResult locks;
    try {
      locks = new LockSafetyChecker().check(h);
    } catch (IllegalArgumentException e) { // two decisions at one place in a resource's order
      err.println("check-history: " + history + ": " + e.getMessage());
      return BAD_INPUT;
    }
    DurabilityResult durability = last == null ? null : new DurabilityChecker().check(h, last);
    out.println(
        "linearizable="
            + linearizability.verdict().label()
            + " lock-violations="
            + locks.count()
            + " lost-acked-writes="
            + (durability == null ? "unchecked" : durability.lostAckedWrites()));
    printIfAny(out, linearizability.explanation());
    printIfAny(out, locks.explanation());
    printIfAny(out, durability == null ? "" : durability.explanation());
    out.flush();
    boolean anomaly =
        linearizability.verdict() == Verdict.NOT_LINEARIZABLE
            || !locks.safe()
            || (durability != null && durability.lostAckedWrites() > 0);
    if (anomaly) {
      return ANOMALY;
    }
    return linearizability.verdict() == Verdict.UNKNOWN ? UNDECIDED : 0;
  }

  private static void printIfAny(PrintWriter out, String explanation) {
    if (!explanation.isEmpty()) {
      out.println(explanation);
    }
  }
}
