package io.tumbler.chaos;

import io.tumbler.chaos.fencing.FencedResource;
import io.tumbler.chaos.fencing.ResourceDecision;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.HistoryReader;
import io.tumbler.chaos.history.HistoryRecorder;
import io.tumbler.chaos.history.Operation;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongUnaryOperator;

/**
 * A seeded schedule of clients taking turns at an exclusive lock and writing to a fenced resource,
 * in which holders overlap: a holder may pause (a GC pause, a partition) past its lease, the lock
 * service gives the lock to the next client, and the paused one wakes up still believing it holds
 * the lock and writes with its old sequencer, interleaved with the new holder's writes. Only the
 * resource's sequencer check stands between that schedule and a lost update.
 *
 * <p>Everything goes through a {@link HistoryRecorder} and back through the {@link HistoryReader},
 * as the harness will. The lock service's generations come from {@code nextGeneration}, so that a
 * test can plant a lock service that reuses or resets them.
 */
final class SimulatedLockClients {

  static final String LOCK = "/ls/local/lock";

  /** A lock service that does its job: each grant gets the next generation. */
  static final LongUnaryOperator NEXT_GENERATION = g -> g + 1;

  /**
   * @param clients processes that take turns
   * @param rounds grants of the lock
   * @param pausePercent of holders that pause past their lease instead of releasing
   */
  record Config(int clients, int rounds, int pausePercent) {}

  private record Paused(int process, Sequencer sequencer, int writesLeft) {}

  private SimulatedLockClients() {}

  /** Runs the schedule against {@code resource} and returns the history it recorded. */
  static History run(
      Config config, long seed, FencedResource resource, LongUnaryOperator nextGeneration)
      throws IOException {
    Random random = new Random(seed);
    StringWriter file = new StringWriter();
    long[] clock = {0};
    try (HistoryRecorder recorder =
        new HistoryRecorder(file, () -> clock[0] += 1 + random.nextInt(5))) {
      List<Paused> paused = new ArrayList<>();
      long generation = 0;
      int value = 0;
      for (int round = 0; round < config.rounds; round++) {
        int holder = idleClient(random, config.clients, paused);
        generation = nextGeneration.applyAsLong(generation);
        Sequencer sequencer = new Sequencer(LOCK, 1, LockMode.EXCLUSIVE, generation);
        Operation.Acquire acquire = Operation.acquire(LOCK);
        recorder.invoke(holder, acquire);
        recorder.ok(holder, acquire.granted(sequencer));
        // the holder's writes, interleaved with those of earlier holders that woke up late
        int writesLeft = 1 + random.nextInt(4);
        while (writesLeft > 0) {
          if (!paused.isEmpty() && random.nextBoolean()) {
            int i = random.nextInt(paused.size());
            Paused p = paused.get(i);
            write(recorder, resource, p.process, p.sequencer, "v" + value++);
            if (p.writesLeft == 1) {
              paused.remove(i);
            } else {
              paused.set(i, new Paused(p.process, p.sequencer, p.writesLeft - 1));
            }
          } else {
            write(recorder, resource, holder, sequencer, "v" + value++);
            writesLeft--;
          }
        }
        boolean someoneLeftToTakeOver = paused.size() < config.clients - 1;
        if (someoneLeftToTakeOver && random.nextInt(100) < config.pausePercent) {
          paused.add(new Paused(holder, sequencer, 1 + random.nextInt(3))); // lease runs out
        } else {
          recorder.invoke(holder, Operation.release(LOCK));
          recorder.ok(holder, Operation.release(LOCK));
        }
      }
    }
    return HistoryReader.read(new BufferedReader(new StringReader(file.toString())), "simulated");
  }

  private static int idleClient(Random random, int clients, List<Paused> paused) {
    while (true) {
      int c = random.nextInt(clients);
      if (paused.stream().noneMatch(p -> p.process == c)) {
        return c;
      }
    }
  }

  private static void write(
      HistoryRecorder recorder, FencedResource resource, int process, Sequencer s, String value) {
    Operation.FencedWrite w = Operation.fencedWrite(resource.name(), s, value);
    recorder.invoke(process, w);
    ResourceDecision d = resource.write(process, s, value);
    if (d.accepted()) {
      recorder.ok(process, w.decided(d.order()));
    } else {
      recorder.fail(process, w.decided(d.order()), "stale sequencer");
    }
  }
}
