package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.chaos.history.Call;
import io.tumbler.chaos.history.Event;
import io.tumbler.chaos.history.EventType;
import io.tumbler.chaos.history.FinalStateFile;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.HistoryReader;
import io.tumbler.chaos.history.HistoryRecorder;
import io.tumbler.chaos.history.MalformedHistoryException;
import io.tumbler.chaos.history.Operation;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recorder → file → reader gives back what was recorded; bad files are refused by line. */
class HistoryFileTest {

  private static final Sequencer SEQUENCER =
      new Sequencer("/ls/local/lock", 3, LockMode.EXCLUSIVE, 7);

  @TempDir Path dir;

  @Test
  void everyKindOfEventRoundTrips() throws IOException {
    Path file = dir.resolve("history.jsonl");
    List<Event> recorded = new ArrayList<>();
    AtomicLong clock = new AtomicLong(1_000);
    try (HistoryRecorder r = HistoryRecorder.create(file, () -> clock.addAndGet(17))) {
      Operation.Read read = Operation.read("/ls/local/f");
      recorded.add(r.invoke(0, read));
      recorded.add(r.ok(0, read.returned(null, 0L)));
      recorded.add(r.invoke(0, read));
      recorded.add(r.ok(0, read.returned("quote \" newline \n tab \t é ✓", null)));
      Operation.Write write = Operation.write("/ls/local/f", "v1");
      recorded.add(r.invoke(1, write));
      recorded.add(r.ok(1, write.produced(1L)));
      recorded.add(r.invoke(1, Operation.write("/ls/local/f", null)));
      recorded.add(r.info(1, Operation.write("/ls/local/f", null), "timeout after 5 s"));
      Operation.Cas cas = Operation.cas("/ls/local/f", 1, "v2");
      recorded.add(r.invoke(2, cas));
      recorded.add(r.ok(2, cas.swapped(2L)));
      recorded.add(r.invoke(2, cas));
      recorded.add(r.ok(2, cas.mismatched(null)));
      recorded.add(r.invoke(2, cas));
      recorded.add(r.fail(2, cas, "NOT_MASTER"));
      Operation.Acquire acquire = Operation.acquire("/ls/local/lock");
      recorded.add(r.invoke(3, acquire));
      recorded.add(r.ok(3, acquire.granted(SEQUENCER)));
      Operation.FencedWrite fenced = Operation.fencedWrite("resource", SEQUENCER, "x");
      recorded.add(r.invoke(3, fenced));
      recorded.add(r.ok(3, fenced.decided(0)));
      recorded.add(r.invoke(3, fenced));
      recorded.add(r.fail(3, fenced.decided(1), "stale sequencer"));
      recorded.add(r.invoke(3, Operation.release("/ls/local/lock")));
      recorded.add(r.ok(3, Operation.release("/ls/local/lock")));
      recorded.add(r.invoke(4, acquire)); // still outstanding when the run ends
    }

    History read = HistoryReader.read(file);

    assertThat(read.events()).containsExactlyElementsOf(recorded);
    assertThat(read.calls()).hasSize(12);
    Call last = read.calls().get(11);
    assertThat(last.outcome()).isEqualTo(EventType.INFO);
    assertThat(last.completeIndex()).isEqualTo(Call.NEVER);
  }

  @Test
  void clientsOnManyThreadsRecordOneOrderedHistory() throws Exception {
    Path file = dir.resolve("history.jsonl");
    ConcurrentLinkedQueue<Event> recorded = new ConcurrentLinkedQueue<>();
    AtomicLong clock = new AtomicLong();
    int threads = 8;
    int opsPerThread = 300;
    try (HistoryRecorder r = HistoryRecorder.create(file, clock::incrementAndGet)) {
      List<Thread> clients = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int process = t;
        clients.add(
            new Thread(
                () -> {
                  Random random = new Random(process);
                  for (int i = 0; i < opsPerThread; i++) {
                    Operation.Write w = Operation.write("k" + random.nextInt(3), process + "-" + i);
                    recorded.add(r.invoke(process, w));
                    recorded.add(
                        random.nextInt(4) == 0
                            ? r.info(process, w, "timeout")
                            : r.ok(process, w.produced((long) i)));
                  }
                }));
      }
      clients.forEach(Thread::start);
      for (Thread c : clients) {
        c.join();
      }
    }

    History read = HistoryReader.read(file);

    List<Event> expected = new ArrayList<>(recorded);
    expected.sort(Comparator.comparingLong(Event::index));
    assertThat(read.events()).containsExactlyElementsOf(expected);
    assertThat(read.events()).extracting(Event::index).doesNotHaveDuplicates();
    assertThat(read.calls()).hasSize(threads * opsPerThread);
  }

  @Test
  void recorderRefusesAProtocolBreachAndABackwardClock() throws IOException {
    long[] now = {10};
    try (HistoryRecorder r = HistoryRecorder.create(dir.resolve("h"), () -> now[0])) {
      assertThatThrownBy(() -> r.ok(1, Operation.release("l")))
          .hasMessageContaining("process 1 completes release l but invoked nothing");
      r.invoke(1, Operation.release("l"));
      assertThatThrownBy(() -> r.invoke(1, Operation.release("m")))
          .hasMessageContaining("while release l (#0) is outstanding");
      assertThatThrownBy(() -> r.ok(1, Operation.release("m")))
          .hasMessageContaining("but invoked release l");
      now[0] = 9;
      assertThatThrownBy(() -> r.ok(1, Operation.release("l")))
          .hasMessageContaining("the clock went back from 10 to 9");
    }
    assertThatThrownBy(() -> HistoryRecorder.create(dir.resolve("h"), () -> 0))
        .isInstanceOf(FileAlreadyExistsException.class);
  }

  @Test
  void readerNamesTheLineOfEachKindOfDamage() throws IOException {
    String invoke =
        "{\"index\":0,\"time\":5,\"process\":1,\"type\":\"invoke\",\"f\":\"read\",\"key\":\"a\"}";
    Map<String, String> damage =
        Map.ofEntries(
            Map.entry("{\"index\":1,\"time\":6,\"process\":1,\"type\":\"ok\",", "not JSON"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\","
                    + "\"value\":\"x\",\"generation\":1} trailing",
                "not JSON"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\","
                    + "\"generation\":1}",
                "field 'value' is missing"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\","
                    + "\"value\":\"x\",\"generation\":\"1\"}",
                "field 'generation' must be an integer"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\","
                    + "\"value\":\"x\",\"gen\":1}",
                "field 'gen' does not belong on this event"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":1,\"type\":\"done\",\"f\":\"read\",\"key\":\"a\"}",
                "type must be invoke, ok, fail or info, not 'done'"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":1,\"type\":\"ok\",\"f\":\"get\",\"key\":\"a\"}",
                "f must be read, write, cas, acquire, release or fenced-write, not 'get'"),
            Map.entry(
                "{\"index\":0,\"time\":6,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\","
                    + "\"value\":\"x\"}",
                "index 0 does not follow index 0"),
            Map.entry(
                "{\"index\":1,\"time\":4,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\","
                    + "\"value\":\"x\"}",
                "time 4 goes back from 5"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":2,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\","
                    + "\"value\":\"x\"}",
                "process 2 completes read a -> \"x\" but invoked nothing"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":1,\"type\":\"info\",\"f\":\"read\",\"key\":\"a\","
                    + "\"value\":\"x\"}",
                "field 'value' does not belong on this event"),
            Map.entry(
                "{\"index\":1,\"time\":6,\"process\":1,\"type\":\"ok\",\"f\":\"read\",\"key\":\"a\","
                    + "\"value\":\"x\",\"value\":\"y\"}",
                "Duplicate field 'value'"),
            Map.entry("", "blank line"));
    int n = 0;
    for (Map.Entry<String, String> d : damage.entrySet()) {
      Path file = dir.resolve("damaged-" + n++);
      Files.writeString(file, invoke + "\n" + d.getKey() + "\n", StandardCharsets.UTF_8);

      assertThatThrownBy(() -> HistoryReader.read(file))
          .as(d.getKey())
          .isInstanceOfSatisfying(
              MalformedHistoryException.class, e -> assertThat(e.lineNumber()).isEqualTo(2))
          .hasMessageContaining(file + " line 2: ")
          .hasMessageContaining(d.getValue());
    }
  }

  @Test
  void finalStateRoundTripsAndRefusesAKeyTwice() throws IOException {
    Path file = dir.resolve("final.jsonl");
    List<FinalValue> values =
        List.of(new FinalValue("a", "x", 3), new FinalValue("b", null, 0), FinalValue.absent("c"));

    FinalStateFile.write(file, values);

    assertThat(FinalStateFile.read(file).values()).containsExactlyElementsOf(values);
    Files.writeString(
        file,
        "{\"key\":\"a\",\"value\":null,\"generation\":0}\n"
            + "{\"key\":\"a\",\"value\":\"x\",\"generation\":1}\n");
    assertThatThrownBy(() -> FinalStateFile.read(file))
        .hasMessageContaining("line 2: key 'a' appears twice");
  }
}
