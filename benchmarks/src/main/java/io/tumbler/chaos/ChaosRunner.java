package io.tumbler.chaos;

import io.tumbler.chaos.cell.ChaosCell;
import io.tumbler.chaos.history.Call;
import io.tumbler.chaos.history.EventType;
import io.tumbler.chaos.history.FinalStateFile;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.HistoryReader;
import io.tumbler.chaos.history.HistoryRecorder;
import io.tumbler.chaos.nemesis.CellFaultTarget;
import io.tumbler.chaos.nemesis.FaultKind;
import io.tumbler.chaos.nemesis.FaultLog;
import io.tumbler.chaos.nemesis.Nemesis;
import io.tumbler.chaos.nemesis.NemesisSettings;
import io.tumbler.chaos.workload.Workload;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one chaos run end to end: starts a cell of replica processes behind the proxies, waits for a
 * master, sets up the files, starts the clients and the nemesis; when the time is up, stops the
 * nemesis (which heals everything), waits for a master again, lets the clients run in the healed
 * cell for a while, stops them, reads the final state with a fresh session, and stops the cell.
 * Then it checks the history as written to disk, as an independent checker would.
 */
public final class ChaosRunner {

  private static final Logger log = LoggerFactory.getLogger(ChaosRunner.class);

  /** How long a cell may take to elect its first master: JVMs starting on a busy machine. */
  static final Duration FIRST_MASTER_DEADLINE = Duration.ofMinutes(2);

  /** How long the nemesis may take to heal everything once told to stop. */
  static final Duration HEAL_DEADLINE = Duration.ofMinutes(3);

  /** How long the healed cell may take to serve again before the run calls it unrecovered. */
  static final Duration RECOVERY_DEADLINE = Duration.ofMinutes(2);

  /** How long the final read may take. */
  static final Duration FINAL_READ_DEADLINE = Duration.ofMinutes(2);

  static final String HISTORY_FILE = "history.jsonl";
  static final String FINAL_STATE_FILE = "final-state.jsonl";
  static final String FAULT_FILE = "nemesis.jsonl";

  /**
   * Diagnostics beside the history: the indices of the ok events of reads answered from a client's
   * cache, one per line, so that a stale read can be told apart as the cache's or the master's.
   */
  static final String CACHED_READS_FILE = "cached-reads.txt";

  private final ChaosConfig config;
  private final LongSupplier clock = System::nanoTime;

  public ChaosRunner(ChaosConfig config) {
    this.config = config;
  }

  public ChaosReport run() throws IOException, InterruptedException {
    Files.createDirectories(config.dir());
    Path historyFile = config.dir().resolve(HISTORY_FILE);
    Path finalStateFile = config.dir().resolve(FINAL_STATE_FILE);
    Path faultFile = config.dir().resolve(FAULT_FILE);
    boolean recovered;
    List<FinalValue> finalState = null;
    List<FaultLog.Entry> faultEntries;
    Workload workload;
    try (ChaosCell cell =
            ChaosCell.start(
                new ChaosCell.Options(
                    config.replicas(),
                    config.dir().resolve("cell"),
                    config.serverJar(),
                    config.timing(),
                    ChaosConfig.CLIENT_GROUPS,
                    config.replicaJvmArgs()));
        Writer faultOut =
            Files.newBufferedWriter(
                faultFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
      int master = cell.awaitServingMaster(FIRST_MASTER_DEADLINE);
      log.info("chaos: replica {} is master; seed {}", master, config.seed());
      List<String> connectStrings = new ArrayList<>();
      for (int g = 0; g < cell.clientGroups(); g++) {
        connectStrings.add(cell.connectString(g));
      }
      FaultLog faults = new FaultLog(faultOut, clock);
      try (HistoryRecorder recorder = HistoryRecorder.create(historyFile, clock);
          ClientCacheTrace clientTrace = ClientCacheTrace.open(config.dir())) {
        workload =
            new Workload(
                config.workload(), recorder, connectStrings, ChaosCell.CELL_NAME, config.seed());
        workload.setUp(FIRST_MASTER_DEADLINE);
        workload.start();
        Nemesis nemesis =
            new Nemesis(
                new CellFaultTarget(cell),
                NemesisSettings.forLease(
                    config.faults(),
                    Duration.ofMillis(config.timing().masterLeaseMs()),
                    config.maxFaults()),
                config.seed(),
                faults);
        Thread nemesisThread = new Thread(nemesis, "chaos-nemesis");
        nemesisThread.setDaemon(true);
        nemesisThread.start();
        nemesis.awaitFinished(config.duration()); // or sooner, after maxFaults
        nemesis.stop();
        if (!nemesis.awaitFinished(HEAL_DEADLINE)) {
          log.error("chaos: the nemesis did not finish healing in {}", HEAL_DEADLINE);
        }
        recovered = awaitRecovery(cell);
        if (recovered) {
          Thread.sleep(config.calmAfter().toMillis());
        }
        workload.stop(config.workload().opTimeout().plusSeconds(30));
      }
      faultEntries = faults.entries();
      Files.write(
          config.dir().resolve(CACHED_READS_FILE),
          workload.cachedReads().stream().sorted().map(String::valueOf).toList(),
          StandardCharsets.UTF_8);
      if (recovered) {
        try {
          finalState = workload.readFinalState(FINAL_READ_DEADLINE);
          FinalStateFile.write(finalStateFile, finalState);
        } catch (IllegalStateException e) {
          log.error("chaos: cannot read the final state", e);
        }
      }
    }
    return check(
        historyFile,
        finalState == null ? null : finalStateFile,
        faultFile,
        workload,
        faultEntries,
        recovered);
  }

  private boolean awaitRecovery(ChaosCell cell) throws InterruptedException {
    try {
      int master = cell.awaitServingMaster(RECOVERY_DEADLINE);
      log.info("chaos: healed; replica {} is master", master);
      return true;
    } catch (IllegalStateException e) {
      log.error("chaos: the cell did not recover: {}", e.getMessage());
      return false;
    }
  }

  private ChaosReport check(
      Path historyFile,
      Path finalStateFile,
      Path faultFile,
      Workload workload,
      List<FaultLog.Entry> faultEntries,
      boolean recovered)
      throws IOException {
    History history = HistoryReader.read(historyFile);
    Map<EventType, Long> outcomes =
        history.calls().stream()
            .collect(Collectors.groupingBy(Call::outcome, Collectors.counting()));
    Checks.Findings findings =
        new Checks()
            .run(history, finalStateFile == null ? null : FinalStateFile.read(finalStateFile));
    StringBuilder problems = new StringBuilder(findings.explanation());
    if (!recovered) {
      problems
          .append("the cell had no serving master within ")
          .append(RECOVERY_DEADLINE)
          .append(" after the faults healed\n");
    }
    Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
    faultEntries.forEach(e -> counts.merge(e.fault().kind(), 1, Integer::sum));
    return new ChaosReport(
        history.calls().size(),
        outcomes.getOrDefault(EventType.OK, 0L),
        outcomes.getOrDefault(EventType.FAIL, 0L),
        outcomes.getOrDefault(EventType.INFO, 0L),
        findings.linearizable(),
        findings.lockViolations(),
        findings.lostAckedWrites(),
        config.seed(),
        counts,
        workload.gaps().longestFirst(),
        faultEntries,
        recovered,
        problems.toString(),
        historyFile,
        finalStateFile,
        faultFile);
  }
}
