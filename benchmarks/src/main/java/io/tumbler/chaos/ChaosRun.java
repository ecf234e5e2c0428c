package io.tumbler.chaos;

import io.tumbler.chaos.cell.CellTiming;
import io.tumbler.chaos.nemesis.FaultKind;
import io.tumbler.chaos.workload.WorkloadSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scripts/chaos}: one chaos run against a cell of replica processes, checked for
 * linearizability, lock safety and durability (docs/testing.md). Prints the summary line, the
 * failover-gap line and the files' paths; exits 0 if nothing was wrong, 1 on an anomaly (or a check
 * that could not decide, or a cell that did not recover), 2 on a bad command line.
 */
@Command(
    name = "chaos",
    mixinStandardHelpOptions = true,
    description =
        "Runs a cell of replica processes under kills, pauses and partitions, with clients"
            + " recording a history, and checks it.")
public final class ChaosRun implements Callable<Integer> {

  /** Exit status when a checker found an anomaly, or could not check. */
  public static final int EXIT_ANOMALY = 1;

  @Option(names = "--minutes", defaultValue = "3", description = "How long faults are injected.")
  double minutes;

  @Option(names = "--replicas", defaultValue = "5", description = "Replicas in the cell: 3 or 5.")
  int replicas;

  @Option(
      names = "--nemesis",
      defaultValue = "kill,pause,partition",
      split = ",",
      description = "Fault kinds: kill, pause, partition, kill-majority.")
  Set<String> nemesis;

  @Option(names = "--seed", description = "Seed of the fault schedule and the clients (random).")
  Long seed;

  @Option(names = "--clients", defaultValue = "6", description = "Client sessions (threads).")
  int clients;

  @Option(
      names = "--max-faults",
      defaultValue = "1000000",
      description = "Stop injecting after this many faults.")
  int maxFaults;

  @Option(
      names = "--dir",
      description = "Where the cell, history and results go (default ./data/chaos/<time>).")
  Path dir;

  @Option(
      names = "--server-jar",
      defaultValue = "cell/target/tumbler-server.jar",
      description = "The replica server jar.")
  Path serverJar;

  @Option(
      names = "--master-lease-ms",
      defaultValue = "1500",
      description = "The cell's master lease.")
  long masterLeaseMs;

  @Option(
      names = "--session-lease-ms",
      defaultValue = "5000",
      description = "The cell's session lease.")
  long sessionLeaseMs;

  @Option(
      names = "--calm-seconds",
      defaultValue = "5",
      description = "How long clients keep going after everything healed.")
  long calmSeconds;

  @Option(
      names = "--no-cache",
      description = "Clients cache nothing (tells a cache bug from a server bug).")
  boolean noCache;

  @Option(
      names = "--plant-ack-before-write-ms",
      defaultValue = "0",
      description =
          "TEST ONLY: replicas acknowledge votes this long before writing them (a planted"
              + " durability bug; use with --nemesis kill-majority).")
  long plantAckBeforeWriteMs;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ChaosRun()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Set<FaultKind> kinds = EnumSet.noneOf(FaultKind.class);
    for (String name : nemesis) {
      kinds.add(FaultKind.fromCli(name));
    }
    long runSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
    Path runDir =
        dir != null
            ? dir
            : Path.of(
                "data",
                "chaos",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    ChaosConfig config =
        new ChaosConfig(
            runDir.toAbsolutePath(),
            serverJar,
            replicas,
            Duration.ofMillis((long) (minutes * 60_000)),
            kinds,
            maxFaults,
            runSeed,
            noCache
                ? WorkloadSettings.forClients(clients).withCacheEntries(0)
                : WorkloadSettings.forClients(clients),
            new CellTiming(masterLeaseMs, sessionLeaseMs),
            Duration.ofSeconds(calmSeconds),
            plantAckBeforeWriteMs);
    System.err.println("chaos: seed " + runSeed + ", files in " + config.dir());
    ChaosReport report = new ChaosRunner(config).run();
    if (!report.problems().isEmpty()) {
      System.err.print(report.problems());
    }
    System.out.println(report.summaryLine());
    System.out.println(report.gapsLine());
    System.out.println("history: " + report.history());
    System.out.println(
        "final-state: " + (report.finalState() == null ? "(not read)" : report.finalState()));
    System.out.println("faults: " + report.faultFile());
    return report.anomalous() ? EXIT_ANOMALY : 0;
  }
}
