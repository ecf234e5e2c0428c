package io.tumbler.bench.suite;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * N idle sessions held open while the leader's CPU time and resident memory are sampled: what
 * keeping sessions alive costs the one process that serves them. The leader's CPU is measured
 * before the sessions are opened too ({@code idleCpuPercent}), so its own background work shows.
 */
final class SessionsRun {

  /** After the last session opened, wait this long so the opening burst is not measured. */
  static final long SETTLE_MILLIS = 5_000;

  private SessionsRun() {}

  static Row run(BenchedSystem system, RunSpec spec, Timing timing) throws Exception {
    long pid = system.leaderPid();
    double idleCpu = cpuPercentOver(pid, timing.seconds());
    try (BenchedSystem.IdleSessions sessions = system.openIdleSessions(spec.clients())) {
      Thread.sleep(SETTLE_MILLIS);
      double cpu = cpuPercentOver(pid, timing.seconds());
      double rss = ProcessStats.rssMiB(pid);
      return new Row(
          system.name(),
          spec.workload().cliName(),
          spec.clients(),
          timing.seconds(),
          0,
          0,
          0,
          0,
          spec.clients() - sessions.alive(),
          Map.of("leaderCpuPercent", cpu, "idleCpuPercent", idleCpu, "leaderRssMiB", rss));
    }
  }

  /** The process's CPU use over the next {@code seconds}, in percent of one core. */
  private static double cpuPercentOver(long pid, int seconds) throws Exception {
    double before = ProcessStats.cpuSeconds(pid);
    long t0 = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    double used = ProcessStats.cpuSeconds(pid) - before;
    return 100.0 * used / ((System.nanoTime() - t0) / 1e9);
  }
}
