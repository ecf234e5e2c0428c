package io.tumbler.bench.driver;

import io.tumbler.bench.LatencySummary;
import io.tumbler.bench.LoadLoop;
import io.tumbler.bench.LoadTiming;
import io.tumbler.bench.etcd.EtcdDriver;
import io.tumbler.bench.zookeeper.ZooKeeperDriver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * One workload on one running system through its {@link Driver}: {@code write} (each client
 * overwrites a key of its own), {@code read} (each client reads its own key, written once first) or
 * {@code lock} (acquire+release of a random one of M locks). One driver (session) per client
 * thread, one call outstanding per session, timed by {@link LoadLoop}. A building block of the
 * side-by-side benchmark (issue #8), not yet the whole of it.
 */
@Command(
    name = "driver-load",
    mixinStandardHelpOptions = true,
    description = "Runs one workload through a Driver and reports ops/s and latency.")
public final class DriverLoad implements Callable<Integer> {

  @Option(
      names = "--system",
      required = true,
      description =
          "tumbler, zookeeper (plain getData), zookeeper-sync (sync + getData) or etcd"
              + " (linearizable get).")
  String system;

  @Option(names = "--addresses", required = true, description = "host:port,... of the members.")
  String addresses;

  @Option(names = "--workload", required = true, description = "write, read or lock.")
  String workload;

  @Option(names = "--clients", defaultValue = "1", description = "Sessions, one thread each.")
  int clients;

  @Option(names = "--locks", defaultValue = "16", description = "Locks the lock workload uses.")
  int locks;

  @Option(names = "--value-bytes", defaultValue = "100", description = "Size of written values.")
  int valueBytes;

  @Mixin LoadTiming timing;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DriverLoad()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<String> members = Arrays.asList(addresses.split(","));
    byte[] value = new byte[valueBytes];
    ThreadLocalRandom.current().nextBytes(value);
    List<Driver> drivers = new ArrayList<>();
    List<LoadLoop.Operation> workers = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        Driver d = newDriver();
        drivers.add(d);
        d.connect(members);
        workers.add(operation(d, "key-" + i, value));
      }
      LatencySummary summary = timing.run(workers);
      LoadLoop.print(system + " " + workload + " clients=" + clients, summary);
    } finally {
      for (Driver d : drivers) {
        d.close();
      }
    }
    return 0;
  }

  private Driver newDriver() {
    switch (system) {
      case "tumbler":
        return TumblerDriver.uncached();
      case "zookeeper":
        return ZooKeeperDriver.localReads();
      case "zookeeper-sync":
        return ZooKeeperDriver.linearizableReads();
      case "etcd":
        return new EtcdDriver();
      default:
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--system must be tumbler, zookeeper, zookeeper-sync or etcd");
    }
  }

  private LoadLoop.Operation operation(Driver d, String key, byte[] value) throws Exception {
    switch (workload) {
      case "write":
        return () -> {
          d.write(key, value);
          return true;
        };
      case "read":
        d.write(key, value);
        return () -> d.read(key).length == value.length;
      case "lock":
        return () -> {
          String lock = "lock-" + ThreadLocalRandom.current().nextInt(locks);
          d.acquire(lock);
          d.release(lock);
          return true;
        };
      default:
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--workload must be write, read or lock");
    }
  }
}
