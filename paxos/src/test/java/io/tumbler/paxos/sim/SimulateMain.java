package io.tumbler.paxos.sim;

import io.tumbler.paxos.PlantedBugs;
import java.util.Locale;

/**
 * The command line behind {@code scripts/simulate}: runs seeds, prints each violation in full and
 * one summary line, and exits non-zero if any seed broke an invariant.
 *
 * <pre>
 * --seeds N      run N seeds (default 100), starting at --start (default 1)
 * --seed S       run only seed S
 * --replicas R   3 or 5 (default: alternate by seed)
 * --bug NAME     plant a bug: accept-below-promise, ignore-higher-accepted, lease-no-drift,
 *                ack-before-persist, ignore-unpaged-votes
 * --minutes M    keep running seeds for M minutes instead of a fixed count
 * --cell-checks-only  skip the acceptor-level checks (1a), (1b), (4a)
 * --verbose      print faults and role changes
 * </pre>
 */
public final class SimulateMain {

  private SimulateMain() {}

  public static void main(String[] args) {
    long start = 1;
    long seeds = 100;
    Long only = null;
    int replicas = 0;
    PlantedBugs bugs = PlantedBugs.NONE;
    double minutes = 0;
    boolean verbose = false;
    boolean cellChecksOnly = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--seeds" -> seeds = Long.parseLong(args[++i]);
        case "--start" -> start = Long.parseLong(args[++i]);
        case "--seed" -> only = Long.parseLong(args[++i]);
        case "--replicas" -> replicas = Integer.parseInt(args[++i]);
        case "--bug" -> bugs = bug(args[++i]);
        case "--minutes" -> minutes = Double.parseDouble(args[++i]);
        case "--verbose" -> verbose = true;
        case "--cell-checks-only" -> cellChecksOnly = true;
        default -> {
          System.err.println("unknown argument " + arg);
          System.exit(2);
        }
      }
    }
    if (replicas != 0 && replicas != 3 && replicas != 5) {
      System.err.println("--replicas must be 3 or 5");
      System.exit(2);
    }
    long deadline = minutes > 0 ? System.nanoTime() + (long) (minutes * 60e9) : Long.MAX_VALUE;
    long first = only != null ? only : start;
    long count = only != null ? 1 : (minutes > 0 ? Long.MAX_VALUE : seeds);
    long ran = 0;
    long steps = 0;
    long violations = 0;
    long elections = 0;
    long chosen = 0;
    long began = System.nanoTime();
    for (long seed = first; ran < count && System.nanoTime() < deadline; seed++) {
      Simulation.Options options = options(seed, replicas, bugs).withVerbose(verbose);
      Simulation.Result result =
          Simulation.run(seed, cellChecksOnly ? options.withoutAcceptorChecks() : options);
      ran++;
      steps += result.steps();
      elections += result.elections();
      chosen += result.chosen();
      if (!result.ok()) {
        violations++;
        System.out.print(result.report());
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    System.err.printf(Locale.ROOT, "(%.1f s, %.1f seeds/s)%n", seconds, ran / seconds);
    System.out.printf(
        Locale.ROOT,
        "simulation: seeds=%d steps=%d violations=%d elections=%d chosen=%d%n",
        ran,
        steps,
        violations,
        elections,
        chosen);
    System.exit(violations == 0 ? 0 : 1);
  }

  /** The options a seed runs with: {@code replicas == 0} alternates 3 and 5 by seed. */
  static Simulation.Options options(long seed, int replicas, PlantedBugs bugs) {
    int n = replicas != 0 ? replicas : (seed % 2 == 0 ? 5 : 3);
    return Simulation.Options.defaults(n).withPlantedBugs(bugs);
  }

  static PlantedBugs bug(String name) {
    return Simulation.plantedBug(name);
  }
}
