package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.chaos.cell.CellTiming;
import io.tumbler.chaos.nemesis.FaultKind;
import io.tumbler.chaos.workload.WorkloadSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CI's chaos run: five replica processes, two and a half minutes of kills, pauses and partitions on
 * a fixed seed, six clients; the history must be linearizable, the locks safe and every
 * acknowledged write still there. Replay with {@code scripts/chaos --minutes 2.5 --seed <seed>}.
 */
class ChaosSmokeIT {

  private static final Logger log = LoggerFactory.getLogger(ChaosSmokeIT.class);

  static final Path SERVER_JAR = Path.of("..", "cell", "target", "tumbler-server.jar");

  /** Fixed, so CI runs the same schedule every time; override with -Dchaos.seed=... */
  static final long SEED = Long.getLong("chaos.seed", 20261125L);

  /**
   * Under target/, not a temporary directory: after a failure the history, the fault file and the
   * replicas' logs are there to read (and to re-check with scripts/check-history).
   */
  private final Path dir =
      Path.of("target", "chaos-it", getClass().getSimpleName() + "-" + System.currentTimeMillis());

  @Test
  void killsPausesAndPartitionsLeaveNoAnomaly() throws Exception {
    ChaosConfig config =
        new ChaosConfig(
            dir,
            SERVER_JAR,
            5,
            Duration.ofSeconds(150),
            EnumSet.of(FaultKind.KILL, FaultKind.PAUSE, FaultKind.PARTITION),
            Integer.MAX_VALUE,
            SEED,
            WorkloadSettings.forClients(6),
            CellTiming.DEFAULT,
            Duration.ofSeconds(5),
            0);
    ChaosReport report = new ChaosRunner(config).run();
    log.info("{}\n{}", report.summaryLine(), report.gapsLine());
    String context =
        report.summaryLine()
            + "\n"
            + report.gapsLine()
            + "\n"
            + report.problems()
            + "history: "
            + report.history();
    assertThat(report.anomalous()).as(context).isFalse();
    assertThat(report.ok()).as(context).isGreaterThan(100);
    assertThat(report.faults().values().stream().mapToInt(Integer::intValue).sum())
        .as(context)
        .isGreaterThanOrEqualTo(5);
  }
}
