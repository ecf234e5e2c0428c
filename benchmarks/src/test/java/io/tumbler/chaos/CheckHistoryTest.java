package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.chaos.fencing.FencedResource;
import io.tumbler.chaos.history.Event;
import io.tumbler.chaos.history.FinalStateFile;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.HistoryJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line re-checks a history file: one summary line, details, and an exit code. */
class CheckHistoryTest {

  private static final SimulatedRegisters.Config BUSY =
      new SimulatedRegisters.Config(8, 4, 2_000, 5, 10);

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @Test
  void aCleanHistoryPassesWithExitCodeZero() throws IOException {
    SimulatedRegisters registers = SimulatedRegisters.run(BUSY, 1);
    Path history = write(registers.events());
    Path finalState = write(registers.finalState());

    int exit = run(history.toString(), "--final-state", finalState.toString());

    assertThat(exit).isZero();
    assertThat(firstLine()).isEqualTo("linearizable=true lock-violations=0 lost-acked-writes=0");
  }

  @Test
  void withoutAFinalStateDurabilityIsUnchecked() throws IOException {
    int exit = run(write(SimulatedRegisters.run(BUSY, 2).events()).toString());

    assertThat(exit).isZero();
    assertThat(firstLine())
        .isEqualTo("linearizable=true lock-violations=0 lost-acked-writes=unchecked");
  }

  @Test
  void aStaleReadFailsAndIsExplained() throws IOException {
    SimulatedRegisters.PlantedRead planted = SimulatedRegisters.run(BUSY, 3).withStaleRead();

    int exit = run(write(planted.events()).toString());

    assertThat(exit).isEqualTo(CheckHistory.ANOMALY);
    assertThat(firstLine()).startsWith("linearizable=false lock-violations=0");
    assertThat(out.toString()).contains("key " + planted.key() + ": not linearizable");
  }

  @Test
  void lockViolationsFail() throws IOException {
    FencedResource unchecked = new FencedResource("resource", (newest, presented) -> true);
    List<Event> events =
        SimulatedLockClients.run(
                new SimulatedLockClients.Config(5, 200, 30),
                4,
                unchecked,
                SimulatedLockClients.NEXT_GENERATION)
            .events();

    int exit = run(write(events).toString());

    assertThat(exit).isEqualTo(CheckHistory.ANOMALY);
    assertThat(firstLine()).matches("linearizable=true lock-violations=[1-9][0-9]* .*");
    assertThat(out.toString()).contains("STALE_WRITE_ACCEPTED resource");
  }

  @Test
  void lostWritesFail() throws IOException {
    SimulatedRegisters registers = SimulatedRegisters.run(BUSY, 5);
    SimulatedRegisters.LostTail damaged = registers.finalStateLosingTheLastAckedWrite();

    int exit =
        run(
            write(registers.events()).toString(),
            "--final-state",
            write(damaged.finalState()).toString());

    assertThat(exit).isEqualTo(CheckHistory.ANOMALY);
    assertThat(firstLine()).matches("linearizable=true lock-violations=0 lost-acked-writes=[1-9]");
    assertThat(out.toString()).contains("key " + damaged.key() + ": ");
  }

  @Test
  void anExhaustedBudgetIsUndecided() throws IOException {
    int exit =
        run(
            write(SimulatedRegisters.run(BUSY, 6).events()).toString(),
            "--max-states-per-key",
            "5");

    assertThat(exit).isEqualTo(CheckHistory.UNDECIDED);
    assertThat(firstLine()).startsWith("linearizable=unknown ");
  }

  @Test
  void aMalformedFileIsRefusedWithItsLineNumber() throws IOException {
    Path history = dir.resolve("bad.jsonl");
    Files.writeString(
        history,
        "{\"index\":0,\"time\":0,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"a\"}\n"
            + "{\"index\":1,\"time\":1,\"process\":1,\"type\":\"ok\",\"f\":\"read\"}\n");

    int exit = run(history.toString());

    assertThat(exit).isEqualTo(CheckHistory.BAD_INPUT);
    assertThat(err.toString()).contains("bad.jsonl line 2: field 'key' is missing");
    assertThat(out.toString()).isEmpty();
  }

  private int run(String... args) {
    return new CommandLine(new CheckHistory())
        .setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err))
        .execute(args);
  }

  private String firstLine() {
    return out.toString().lines().findFirst().orElse("");
  }

  private Path write(List<Event> events) throws IOException {
    Path file = dir.resolve("history-" + System.identityHashCode(events) + ".jsonl");
    HistoryJson json = new HistoryJson();
    List<String> lines = new ArrayList<>();
    events.forEach(e -> lines.add(json.toLine(e)));
    Files.write(file, lines, StandardCharsets.UTF_8);
    return file;
  }

  private Path write(Map<String, FinalValue> finalState) throws IOException {
    Path file = dir.resolve("final-" + System.identityHashCode(finalState) + ".jsonl");
    FinalStateFile.write(file, finalState.values());
    return file;
  }
}
