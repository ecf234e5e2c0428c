package io.tumbler.bench.suite;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The side-by-side benchmark behind {@code scripts/bench}: starts each system as a three-member
 * cluster on loopback, runs every workload on each in turn — the order of systems rotating from one
 * measurement to the next, so slow drift of the machine does not favour one — stops them, and
 * writes the results as JSON and a markdown table (docs/performance.md).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Runs Tumbler, ZooKeeper and etcd side by side and writes a results table.")
public final class BenchSuite implements Callable<Integer> {

  static final List<String> ALL_SYSTEMS = List.of("tumbler", "zookeeper", "etcd");

  /** The measurements of a full run; {@link #QUICK} and {@link #SMOKE} are shorter. */
  static final Plan FULL = new Plan(new Timing(5, 20, 15), comparisons(2_000, 100_000));

  /** Under five minutes for all three systems. */
  static final Plan QUICK = new Plan(new Timing(1, 3, 6), comparisons(1_000));

  /** Seconds, for CI: every path of the suite runs once, the figures mean nothing. */
  static final Plan SMOKE =
      new Plan(
          new Timing(1, 1, 3),
          List.of(
              new RunSpec(Workload.WRITE, 2),
              new RunSpec(Workload.READ, 2),
              new RunSpec(Workload.READ_SYNC, 2),
              new RunSpec(Workload.READ_CACHED, 2),
              new RunSpec(Workload.LOCK_DISTINCT, 2),
              new RunSpec(Workload.LOCK_SAME, 2),
              new RunSpec(Workload.SESSIONS, 10)));

  @Option(names = "--quick", description = "The short plan (under five minutes).")
  boolean quick;

  @Option(names = "--smoke", description = "A few seconds per system: checks the suite works.")
  boolean smoke;

  @Option(
      names = "--systems",
      split = ",",
      description = "Systems to run (default: ${DEFAULT-VALUE}).",
      defaultValue = "tumbler,zookeeper,etcd")
  List<String> systems;

  @Option(
      names = "--workloads",
      split = ",",
      description =
          "Workloads to run (default: all): write, read, read-sync, read-cached, lock-distinct,"
              + " lock-same, failover, sessions.")
  List<String> workloads;

  @Option(names = "--root", defaultValue = ".", description = "The Tumbler repository root.")
  Path root;

  @Option(
      names = "--dir",
      description = "Where the clusters keep their data (default: a new temporary directory).")
  Path dir;

  @Option(
      names = "--results",
      description = "Where results go (default: <root>/benchmarks/results).")
  Path results;

  @Option(names = "--value-bytes", defaultValue = "100", description = "Size of written values.")
  int valueBytes;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchSuite()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Plan plan = smoke ? SMOKE : quick ? QUICK : FULL;
    List<RunSpec> specs = selected(plan.specs());
    Path data = dir != null ? dir : Files.createTempDirectory("tumbler-bench");
    byte[] value = new byte[valueBytes];
    ThreadLocalRandom.current().nextBytes(value);
    List<BenchedSystem> running = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    try {
      for (String name : systems) {
        BenchedSystem system = create(name);
        if (system == null) {
          continue;
        }
        log("starting %s in %s", name, data.resolve(name));
        running.add(system); // closed even if it fails to start
        system.start(data.resolve(name));
      }
      for (int i = 0; i < specs.size(); i++) {
        RunSpec spec = specs.get(i);
        for (int k = 0; k < running.size(); k++) {
          BenchedSystem system = running.get((i + k) % running.size()); // rotate who goes first
          runOne(system, spec, plan.timing(), value).ifPresent(rows::add);
        }
      }
    } finally {
      for (BenchedSystem s : running) {
        log("stopping %s", s.name());
        s.close();
      }
    }
    String stem =
        DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(ZonedDateTime.now(ZoneOffset.UTC));
    Path out = results != null ? results : root.resolve("benchmarks/results");
    List<String> peers =
        running.stream().map(BenchedSystem::name).filter(n -> !n.equals(Report.TUMBLER)).toList();
    Report report = new Report(rows, peers, header(plan));
    List<Path> written = report.write(out, stem + (smoke ? "-smoke" : quick ? "-quick" : ""));
    System.out.println(report.markdown());
    written.forEach(p -> System.out.println("wrote " + p));
    return 0;
  }

  private Optional<Row> runOne(BenchedSystem system, RunSpec spec, Timing timing, byte[] value)
      throws Exception {
    if (!system.workloads().contains(spec.workload())) {
      return Optional.empty();
    }
    if (spec.workload() == Workload.SESSIONS && spec.clients() > system.maxIdleSessions()) {
      log(
          "%s: %s skipped: this load generator holds at most %d idle %s sessions",
          system.name(), spec, system.maxIdleSessions(), system.name());
      return Optional.empty();
    }
    log("%s: %s ...", system.name(), spec);
    Row row =
        switch (spec.workload()) {
          case FAILOVER -> FailoverRun.run(system, spec, timing, value);
          case SESSIONS -> SessionsRun.run(system, spec, timing);
          default -> SteadyRun.run(system, spec, timing, value);
        };
    log("%s: %s: %s", system.name(), spec, summary(row));
    return Optional.of(row);
  }

  private BenchedSystem create(String name) {
    switch (name) {
      case "tumbler":
        return new TumblerSystem(root.toAbsolutePath());
      case "zookeeper":
        return ZooKeeperSystem.create();
      case "etcd":
        return EtcdSystem.ifInstalled()
            .orElseGet(
                () -> {
                  log(
                      "etcd: skipped: no etcd binary on PATH (as root: apt-get install etcd-server)");
                  return null;
                });
      default:
        throw new CommandLine.ParameterException(
            new CommandLine(this), "unknown system '" + name + "'; known: " + ALL_SYSTEMS);
    }
  }

  private List<RunSpec> selected(List<RunSpec> specs) {
    if (workloads == null || workloads.isEmpty()) {
      return specs;
    }
    List<Workload> wanted = workloads.stream().map(Workload::fromCliName).toList();
    return specs.stream().filter(s -> wanted.contains(s.workload())).toList();
  }

  private static String header(Plan plan) {
    return String.format(
        Locale.ROOT,
        "Tumbler side by side (%s UTC); %d s measured after %d s warm-up per run; %d cores, %s, Java %s",
        DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).withNano(0)),
        plan.timing().seconds(),
        plan.timing().warmupSeconds(),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("java.version"));
  }

  private static String summary(Row r) {
    String extra =
        r.extra().entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
            .collect(Collectors.joining(", "));
    return String.format(
        Locale.ROOT,
        "%.0f ops/s, p50 %.0f us, p99 %.0f us, p99.9 %.0f us, errors %d%s",
        r.opsPerSec(),
        r.p50Us(),
        r.p99Us(),
        r.p999Us(),
        r.errors(),
        extra.isEmpty() ? "" : ", " + extra);
  }

  private static void log(String format, Object... args) {
    System.err.println("bench: " + String.format(Locale.ROOT, format, args));
  }

  /** Every workload at the client counts the targets of issue #8 name, then idle sessions. */
  private static List<RunSpec> comparisons(int... idleSessions) {
    List<RunSpec> specs =
        new ArrayList<>(
            List.of(
                new RunSpec(Workload.WRITE, 1),
                new RunSpec(Workload.WRITE, 64),
                new RunSpec(Workload.READ, 16),
                new RunSpec(Workload.READ_SYNC, 16),
                new RunSpec(Workload.READ_CACHED, 16),
                new RunSpec(Workload.LOCK_DISTINCT, 16),
                new RunSpec(Workload.LOCK_SAME, 16),
                new RunSpec(Workload.FAILOVER, 16)));
    for (int n : idleSessions) {
      specs.add(new RunSpec(Workload.SESSIONS, n));
    }
    return specs;
  }

  /** What to measure and for how long. */
  record Plan(Timing timing, List<RunSpec> specs) {
    Plan {
      specs = List.copyOf(specs);
    }
  }
}
