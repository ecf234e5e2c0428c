package io.tumbler.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load: one thread per worker, each running its operation back to back, first for a
 * warm-up and then for the measured time. Every operation's latency goes into one histogram.
 */
public final class LoadLoop {

  /** One worker's operation; returns true if it succeeded. */
  @FunctionalInterface
  public interface Operation {
    boolean run() throws Exception;
  }

  private LoadLoop() {}

  public static LatencySummary run(List<Operation> workers, int warmupSeconds, int seconds)
      throws InterruptedException {
    Histogram histogram = LatencySummary.newHistogram();
    AtomicLong errors = new AtomicLong();
    AtomicBoolean measuring = new AtomicBoolean(false);
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> threads = new ArrayList<>();
    List<Histogram> perWorker = new ArrayList<>();
    for (int i = 0; i < workers.size(); i++) {
      Operation op = workers.get(i);
      Histogram mine = LatencySummary.newHistogram();
      perWorker.add(mine);
      Thread t =
          new Thread(
              () -> {
                while (running.get()) {
                  long start = System.nanoTime();
                  boolean ok;
                  try {
                    ok = op.run();
                  } catch (Exception e) {
                    ok = false;
                  }
                  long took = System.nanoTime() - start;
                  if (measuring.get()) {
                    if (ok) {
                      mine.recordValue(Math.min(took, LatencySummary.MAX_TRACKED_LATENCY_NANOS));
                    } else {
                      errors.incrementAndGet();
                    }
                  }
                }
              },
              "load-" + i);
      threads.add(t);
      t.start();
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
    measuring.set(true);
    long started = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    measuring.set(false);
    long elapsed = System.nanoTime() - started;
    running.set(false);
    for (Thread t : threads) {
      t.join();
    }
    for (Histogram h : perWorker) {
      histogram.add(h); // after join: each worker's histogram is read once its thread has ended
    }
    return LatencySummary.of(histogram, errors.get(), elapsed);
  }

  /** One line: what ran, ops/s and the latency percentiles. */
  public static void print(String what, LatencySummary s) {
    System.out.printf(
        "%s: %.0f ops/s  p50 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.0f us  errors %d%n",
        what,
        s.opsPerSecond(),
        s.p50Micros(),
        s.p99Micros(),
        s.p999Micros(),
        s.maxMicros(),
        s.errors());
  }
}
