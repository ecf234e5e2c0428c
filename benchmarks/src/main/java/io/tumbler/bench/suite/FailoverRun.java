package io.tumbler.bench.suite;

import io.tumbler.bench.LatencySummary;
import io.tumbler.bench.driver.Driver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Recorder;

/**
 * Writers keep writing while the leader (master) is killed with SIGKILL. Reports the longest time
 * in which no writer completed a write ({@code maxGapMs}: how long the service was down), the
 * median over writers of each one's longest gap ({@code writerGapMs}: what one client felt), the
 * failed operations, and {@code writersAlive}: writers that completed a write in the last {@link
 * #ALIVE_WINDOW_MILLIS} of the run — a writer whose session expired keeps failing, one stuck on the
 * dead member completes nothing. The killed member is restarted afterwards, so later runs have all
 * three. A writer still blocked at the end is not waited for: what it did until then counts.
 */
final class FailoverRun {

  /** Writers run this long, measured, before the kill. */
  static final long BEFORE_KILL_MILLIS = 2_000;

  /** A writer counts as alive if it completed a write this close to the end. */
  static final long ALIVE_WINDOW_MILLIS = 1_000;

  /** A writer whose write failed waits this long before the next, as a real client backs off. */
  static final long RETRY_PAUSE_MILLIS = 10;

  private FailoverRun() {}

  static Row run(BenchedSystem system, RunSpec spec, Timing timing, byte[] value) throws Exception {
    List<Driver> drivers = new ArrayList<>();
    Shared shared = new Shared();
    List<Writer> writers = new ArrayList<>();
    try {
      for (int i = 0; i < spec.clients(); i++) {
        Driver d = system.newDriver(Workload.WRITE);
        drivers.add(d);
        d.connect(system.addresses());
        writers.add(new Writer(d, "failover-" + i, value, shared));
      }
      writers.forEach(w -> w.thread.start());
      Thread.sleep(TimeUnit.SECONDS.toMillis(timing.warmupSeconds()));
      long start = System.nanoTime();
      shared.latency.reset();
      shared.measuring.set(true);
      Thread.sleep(BEFORE_KILL_MILLIS);
      int killed = system.killLeader();
      Thread.sleep(TimeUnit.SECONDS.toMillis(timing.failoverSeconds()));
      shared.measuring.set(false);
      long end = System.nanoTime();
      shared.running.set(false);
      Row row = row(system, spec, shared, writers, start, end);
      system.restart(killed);
      return row;
    } finally {
      shared.running.set(false);
      drivers.forEach(Driver::close); // also ends writers still blocked in a call
    }
  }

  private static Row row(
      BenchedSystem system,
      RunSpec spec,
      Shared shared,
      List<Writer> writers,
      long start,
      long end) {
    long[] completions =
        writers.stream()
            .flatMap(w -> w.completedAt.stream())
            .mapToLong(Long::longValue)
            .filter(t -> t - start >= 0 && t - end <= 0)
            .sorted()
            .toArray();
    long maxGap = longestGap(completions, start, end);
    long[] writerGaps =
        writers.stream()
            .mapToLong(
                w ->
                    longestGap(
                        w.completedAt.stream().mapToLong(Long::longValue).sorted().toArray(),
                        start,
                        end))
            .sorted()
            .toArray();
    long writerGap = writerGaps[writerGaps.length / 2];
    long aliveSince = end - TimeUnit.MILLISECONDS.toNanos(ALIVE_WINDOW_MILLIS);
    long alive = writers.stream().filter(w -> w.lastSuccessNanos - aliveSince > 0).count();
    LatencySummary s =
        LatencySummary.of(shared.latency.getIntervalHistogram(), shared.errors.get(), end - start);
    return new Row(
        system.name(),
        spec.workload().cliName(),
        spec.clients(),
        (end - start) / 1e9,
        completions.length / ((end - start) / 1e9),
        s.p50Micros(),
        s.p99Micros(),
        s.p999Micros(),
        s.errors(),
        Map.of(
            "maxGapMs",
            maxGap / 1e6,
            "writerGapMs",
            writerGap / 1e6,
            "writersAlive",
            (double) alive));
  }

  /** The longest stretch of [start, end] with no completion in {@code sorted}. */
  private static long longestGap(long[] sorted, long start, long end) {
    long gap = 0;
    long previous = start;
    for (long t : sorted) {
      if (t - start < 0 || t - end > 0) {
        continue;
      }
      gap = Math.max(gap, t - previous);
      previous = t;
    }
    return Math.max(gap, end - previous);
  }

  /** What the writers record, safe to read while some are still blocked in a call. */
  private static final class Shared {
    final AtomicBoolean measuring = new AtomicBoolean(false);
    final AtomicBoolean running = new AtomicBoolean(true);
    final Recorder latency = new Recorder(LatencySummary.MAX_TRACKED_LATENCY_NANOS, 3);
    final AtomicLong errors = new AtomicLong();
  }

  private static final class Writer {
    final Thread thread;
    final Queue<Long> completedAt = new ConcurrentLinkedQueue<>();
    volatile long lastSuccessNanos = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

    Writer(Driver d, String key, byte[] value, Shared shared) {
      thread =
          new Thread(
              () -> {
                while (shared.running.get()) {
                  long t0 = System.nanoTime();
                  boolean ok;
                  try {
                    d.write(key, value);
                    ok = true;
                  } catch (Exception e) {
                    ok = false;
                  }
                  long t1 = System.nanoTime();
                  if (ok) {
                    lastSuccessNanos = t1;
                  }
                  if (shared.measuring.get()) {
                    if (ok) {
                      shared.latency.recordValue(
                          Math.min(t1 - t0, LatencySummary.MAX_TRACKED_LATENCY_NANOS));
                      completedAt.add(t1);
                    } else {
                      shared.errors.incrementAndGet();
                    }
                  }
                  if (!ok) {
                    pause();
                  }
                }
              },
              "failover-writer-" + key);
      thread.setDaemon(true); // one stuck in a call must not keep the JVM alive
    }

    private static void pause() {
      try {
        Thread.sleep(RETRY_PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
