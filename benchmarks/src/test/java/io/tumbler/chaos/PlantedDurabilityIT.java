package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.chaos.cell.CellTiming;
import io.tumbler.chaos.nemesis.FaultKind;
import io.tumbler.chaos.workload.WorkloadSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durability check can fail: with replicas that acknowledge votes a second before writing them
 * (the test-only {@code PlantedStorageBugs}), killing a majority at once loses acknowledged writes,
 * and the run says so; the same run without the bug loses none.
 */
class PlantedDurabilityIT {

  private static final Logger log = LoggerFactory.getLogger(PlantedDurabilityIT.class);

  static final Path SERVER_JAR = Path.of("..", "cell", "target", "tumbler-server.jar");

  static final long SEED = 7;

  /** Longer than a kill takes to land after the last acknowledgement, on any machine. */
  static final long ACK_BEFORE_WRITE_MS = 1_000;

  /**
   * Under target/, not a temporary directory: after a failure the history, the fault file and the
   * replicas' logs are there to read (and to re-check with scripts/check-history).
   */
  private final Path dir =
      Path.of("target", "chaos-it", getClass().getSimpleName() + "-" + System.currentTimeMillis());

  private ChaosReport run(Path runDir, long plantedMs) throws Exception {
    ChaosConfig config =
        new ChaosConfig(
            runDir,
            SERVER_JAR,
            5,
            Duration.ofMinutes(3),
            EnumSet.of(FaultKind.KILL_MAJORITY),
            2,
            SEED,
            new WorkloadSettings(
                4,
                2,
                0,
                1,
                Duration.ofSeconds(30),
                Duration.ofSeconds(20),
                Duration.ofSeconds(1),
                0,
                Duration.ofSeconds(1),
                WorkloadSettings.DEFAULT_CACHE_ENTRIES),
            CellTiming.DEFAULT,
            Duration.ZERO,
            plantedMs);
    ChaosReport report = new ChaosRunner(config).run();
    log.info("{}\n{}", report.summaryLine(), report.gapsLine());
    return report;
  }

  @Test
  void acknowledgingBeforeWritingLosesAcknowledgedWritesAndTheCheckerSaysSo() throws Exception {
    ChaosReport planted = run(dir.resolve("planted"), ACK_BEFORE_WRITE_MS);
    assertThat(planted.lostAckedWrites())
        .as(planted.summaryLine() + "\n" + planted.problems())
        .isPositive();
    assertThat(planted.anomalous()).isTrue();
    assertThat(replicaLog(dir.resolve("planted"))).contains(PLANTED_WARNING);
  }

  @Test
  void withoutTheBugKillingAMajorityLosesNothing() throws Exception {
    ChaosReport sound = run(dir.resolve("sound"), 0);
    assertThat(sound.lostAckedWrites()).as(sound.summaryLine() + "\n" + sound.problems()).isZero();
    assertThat(sound.anomalous()).as(sound.summaryLine() + "\n" + sound.problems()).isFalse();
    assertThat(replicaLog(dir.resolve("sound"))).doesNotContain(PLANTED_WARNING);
  }

  /** What TumblerServer logs at ERROR when the bug is planted: nobody should miss it. */
  static final String PLANTED_WARNING = "PLANTED DURABILITY BUG";

  private static String replicaLog(Path runDir) throws IOException {
    return Files.readString(runDir.resolve("cell").resolve("replica-1.log"));
  }
}
