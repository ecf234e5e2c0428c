package io.tumbler.bench.suite;

import io.tumbler.bench.LatencySummary;
import io.tumbler.bench.driver.Driver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;

/**
 * Writers keep writing while the leader (master) is killed with SIGKILL. Reports the longest time
 * in which no writer completed a write ({@code maxGapMs}: what users of the service feel), the
 * failed operations, and how many writers' last write succeeded ({@code writersAlive}: a writer
 * whose session expired keeps failing). The killed member is restarted afterwards, so later runs
 * have all three.
 */
final class FailoverRun {

  /** Writers run this long, measured, before the kill. */
  static final long BEFORE_KILL_MILLIS = 2_000;

  /** A writer still blocked this long after the end is abandoned (and counted as not alive). */
  static final long JOIN_PATIENCE_MILLIS = 60_000;

  /** A writer whose write failed waits this long before the next, as a real client backs off. */
  static final long RETRY_PAUSE_MILLIS = 10;

  private FailoverRun() {}

  static Row run(BenchedSystem system, RunSpec spec, Timing timing, byte[] value) throws Exception {
    List<Driver> drivers = new ArrayList<>();
    List<Writer> writers = new ArrayList<>();
    AtomicBoolean measuring = new AtomicBoolean(false);
    AtomicBoolean running = new AtomicBoolean(true);
    try {
      for (int i = 0; i < spec.clients(); i++) {
        Driver d = system.newDriver(Workload.WRITE);
        drivers.add(d);
        d.connect(system.addresses());
        writers.add(new Writer(d, "failover-" + i, value, measuring, running));
      }
      writers.forEach(w -> w.thread.start());
      Thread.sleep(TimeUnit.SECONDS.toMillis(timing.warmupSeconds()));
      long start = System.nanoTime();
      measuring.set(true);
      Thread.sleep(BEFORE_KILL_MILLIS);
      int killed = system.killLeader();
      Thread.sleep(TimeUnit.SECONDS.toMillis(timing.failoverSeconds()));
      measuring.set(false);
      long end = System.nanoTime();
      running.set(false);
      for (Writer w : writers) {
        w.thread.join(JOIN_PATIENCE_MILLIS);
      }
      system.restart(killed);
      return row(system, spec, writers, start, end);
    } finally {
      running.set(false);
      drivers.forEach(Driver::close);
    }
  }

  private static Row row(
      BenchedSystem system, RunSpec spec, List<Writer> writers, long start, long end) {
    Histogram latency = LatencySummary.newHistogram();
    long errors = 0;
    int alive = 0;
    List<long[]> completions = new ArrayList<>();
    for (Writer w : writers) {
      if (w.thread.isAlive()) {
        continue; // still blocked: neither its figures nor its liveness can be trusted
      }
      latency.add(w.latency);
      errors += w.errors;
      completions.add(Arrays.copyOf(w.completedAt, w.completed));
      if (w.lastSucceeded) {
        alive++;
      }
    }
    long[] all = completions.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    long maxGap = 0;
    long previous = start;
    for (long t : all) {
      maxGap = Math.max(maxGap, t - previous);
      previous = t;
    }
    maxGap = Math.max(maxGap, end - previous);
    LatencySummary s = LatencySummary.of(latency, errors, end - start);
    return new Row(
        system.name(),
        spec.workload().cliName(),
        spec.clients(),
        (end - start) / 1e9,
        s.opsPerSecond(),
        s.p50Micros(),
        s.p99Micros(),
        s.p999Micros(),
        s.errors(),
        Map.of("maxGapMs", maxGap / 1e6, "writersAlive", (double) alive));
  }

  /** One writer thread; its fields are read only after it ended (join). */
  private static final class Writer {
    final Thread thread;
    final Histogram latency = LatencySummary.newHistogram();
    long[] completedAt = new long[1024];
    int completed;
    long errors;
    boolean lastSucceeded;

    Writer(Driver d, String key, byte[] value, AtomicBoolean measuring, AtomicBoolean running) {
      thread =
          new Thread(
              () -> {
                while (running.get()) {
                  long t0 = System.nanoTime();
                  boolean ok;
                  try {
                    d.write(key, value);
                    ok = true;
                  } catch (Exception e) {
                    ok = false;
                  }
                  long t1 = System.nanoTime();
                  if (!ok) {
                    pause();
                  }
                  lastSucceeded = ok;
                  if (!measuring.get()) {
                    continue;
                  }
                  if (ok) {
                    latency.recordValue(
                        Math.min(t1 - t0, LatencySummary.MAX_TRACKED_LATENCY_NANOS));
                    if (completed == completedAt.length) {
                      completedAt = Arrays.copyOf(completedAt, completed * 2);
                    }
                    completedAt[completed++] = t1;
                  } else {
                    errors++;
                  }
                }
              },
              "failover-writer-" + key);
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
