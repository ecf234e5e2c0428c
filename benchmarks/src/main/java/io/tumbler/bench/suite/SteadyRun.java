package io.tumbler.bench.suite;

import io.tumbler.bench.LatencySummary;
import io.tumbler.bench.LoadLoop;
import io.tumbler.bench.driver.Driver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The closed-loop workloads: each client a session on its own thread with one operation
 * outstanding, run through {@link LoadLoop}. Keys are per client, so writes never contend; locks
 * are per client ({@code lock-distinct}, a random one of N each time) or one for all ({@code
 * lock-same}, where every cycle is a hand-off to whoever waits).
 */
final class SteadyRun {

  static final String SHARED_LOCK = "the-lock";

  private SteadyRun() {}

  static Row run(BenchedSystem system, RunSpec spec, Timing timing, byte[] value) throws Exception {
    List<Driver> drivers = new ArrayList<>();
    try {
      List<LoadLoop.Operation> workers = new ArrayList<>();
      for (int i = 0; i < spec.clients(); i++) {
        Driver d = system.newDriver(spec.workload());
        drivers.add(d);
        d.connect(system.addresses());
        workers.add(operation(d, spec, "key-" + i, value));
      }
      LatencySummary s = LoadLoop.run(workers, timing.warmupSeconds(), timing.seconds());
      return new Row(
          system.name(),
          spec.workload().cliName(),
          spec.clients(),
          timing.seconds(),
          s.opsPerSecond(),
          s.p50Micros(),
          s.p99Micros(),
          s.p999Micros(),
          s.errors(),
          Map.of());
    } finally {
      drivers.forEach(Driver::close);
    }
  }

  private static LoadLoop.Operation operation(Driver d, RunSpec spec, String key, byte[] value)
      throws Exception {
    switch (spec.workload()) {
      case WRITE:
        return () -> {
          d.write(key, value);
          return true;
        };
      case READ:
      case READ_SYNC:
      case READ_CACHED:
        d.write(key, value);
        return () -> d.read(key).length == value.length;
      case LOCK_DISTINCT:
        int locks = spec.clients();
        return () -> {
          String lock = "lock-" + ThreadLocalRandom.current().nextInt(locks);
          d.acquire(lock);
          d.release(lock);
          return true;
        };
      case LOCK_SAME:
        return () -> {
          d.acquire(SHARED_LOCK);
          d.release(SHARED_LOCK);
          return true;
        };
      default:
        throw new IllegalArgumentException(spec.workload() + " is not a closed-loop workload");
    }
  }
}
