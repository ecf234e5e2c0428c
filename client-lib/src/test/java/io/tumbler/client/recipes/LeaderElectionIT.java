package io.tumbler.client.recipes;

import static io.tumbler.client.recipes.RecipeCells.DEADLINE;
import static io.tumbler.client.recipes.RecipeCells.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException.InvalidSequencerException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Primary/backup election against a real cell: hand-over, resignation, a leader's death. */
class LeaderElectionIT {

  @TempDir static Path dir;
  private static EmbeddedCell cell;

  @BeforeAll
  static void startCell() throws Exception {
    cell = RecipeCells.start(dir.resolve("shared"));
  }

  @AfterAll
  static void stopCell() {
    if (cell != null) {
      cell.close();
    }
  }

  /** What a candidate was told, in order. */
  static final class Recorder implements LeaderElection.Listener {
    final List<String> told = new CopyOnWriteArrayList<>();

    @Override
    public void onElected(Fence fence) {
      told.add("elected");
    }

    @Override
    public void onLost(LeaderElection.LossReason reason) {
      told.add("lost " + reason);
    }
  }

  private static LeaderElection candidate(
      TumblerClient client, String path, String identity, Recorder recorder) {
    return LeaderElection.builder(client, path)
        .identity(identity)
        .lockDelay(Duration.ofSeconds(1))
        .listener(recorder)
        .start();
  }

  @Test
  void theBackupLeadsWhenTheLeaderEndsItsSessionAndTheOldFenceIsRefused() {
    String path = "/ls/local/handover-leader";
    TumblerClient a = client(cell);
    try (TumblerClient b = client(cell);
        TumblerClient server = client(cell)) {
      Recorder ra = new Recorder();
      Recorder rb = new Recorder();
      LeaderElection alpha = candidate(a, path, "alpha:1", ra);
      await().atMost(DEADLINE).until(alpha::isLeader);
      LeaderElection beta = candidate(b, path, "beta:2", rb);
      await().atMost(DEADLINE).until(() -> beta.leader().equals(Optional.of("alpha:1")));
      assertThat(beta.isLeader()).isFalse();
      assertThat(beta.fence()).isEmpty();

      Fence old = alpha.fence().orElseThrow();
      SequencerChecker viaCell = SequencerChecker.viaCell(server);
      SequencerChecker.Monotonic monotonic = SequencerChecker.monotonic();
      viaCell.check(path, old.bytes());
      monotonic.check(path, old.bytes());

      a.close(); // the leader's process goes away (and ends its session)

      await().atMost(DEADLINE).until(beta::isLeader);
      assertThat(beta.leader()).contains("beta:2");
      assertThat(rb.told).containsExactly("elected");
      Fence now = beta.fence().orElseThrow();
      assertThat(now.lockGeneration()).isGreaterThan(old.lockGeneration());

      // The old leader may still be sending: both kinds of check shut it out.
      assertThatThrownBy(() -> viaCell.check(path, old.bytes()))
          .isInstanceOf(InvalidSequencerException.class);
      viaCell.check(path, now.bytes());
      monotonic.check(path, now.bytes());
      assertThatThrownBy(() -> monotonic.check(path, old.bytes()))
          .isInstanceOf(InvalidSequencerException.class);
      beta.close();
      alpha.close(); // its client is gone: closing tells it, and fails nothing
      assertThat(ra.told).containsExactly("elected", "lost CLOSED");
    }
  }

  @Test
  void resigningHandsOverAtOnceAndTheResignerCanCampaignAgain() {
    String path = "/ls/local/resign-leader";
    try (TumblerClient a = client(cell);
        TumblerClient b = client(cell)) {
      Recorder ra = new Recorder();
      Recorder rb = new Recorder();
      try (LeaderElection alpha = candidate(a, path, "alpha", ra)) {
        await().atMost(DEADLINE).until(alpha::isLeader);
        try (LeaderElection beta = candidate(b, path, "beta", rb)) {
          await().atMost(DEADLINE).until(() -> beta.leader().equals(Optional.of("alpha")));

          alpha.resign();
          assertThat(alpha.isLeader()).isFalse();
          assertThat(ra.told).containsExactly("elected", "lost RESIGNED");
          await().atMost(DEADLINE).until(beta::isLeader);
          await().atMost(DEADLINE).until(() -> alpha.leader().equals(Optional.of("beta")));

          alpha.campaign();
          beta.resign();
          await().atMost(DEADLINE).until(alpha::isLeader);
          assertThat(ra.told).containsExactly("elected", "lost RESIGNED", "elected");
          assertThat(rb.told).containsExactly("elected", "lost RESIGNED");
        }
        assertThat(alpha.isLeader()).isTrue();
      }
      assertThat(ra.told).containsExactly("elected", "lost RESIGNED", "elected", "lost CLOSED");
    }
  }

  @Test
  void deletingTheLockFileDeposesTheLeaderAndTheElectionGoesOnOnANewFile() {
    String path = "/ls/local/deleted-leader";
    try (TumblerClient a = client(cell);
        TumblerClient b = client(cell);
        TumblerClient admin = client(cell)) {
      Recorder ra = new Recorder();
      Recorder rb = new Recorder();
      try (LeaderElection alpha = candidate(a, path, "alpha", ra);
          LeaderElection beta = candidate(b, path, "beta", rb)) {
        await().atMost(DEADLINE).until(alpha::isLeader);
        try (var h = admin.open(path, io.tumbler.client.OpenOptions.readWrite())) {
          h.delete();
        }
        await().atMost(DEADLINE).until(() -> ra.told.contains("lost LOCK_LOST"));
        await().atMost(DEADLINE).until(() -> alpha.isLeader() || beta.isLeader());
        assertThat(alpha.isLeader() && beta.isLeader()).isFalse();
      }
    }
  }

  /**
   * The leader loses the cell (a one-replica cell whose replica dies): its session goes into
   * jeopardy, then expires when its grace period runs out, and it is told it lost. The backup, with
   * a longer grace period, rides out the outage and leads once the cell is back and the leader's
   * session and lock-delay have run out at the master.
   */
  @Test
  void aLeaderWhoseSessionExpiresIsToldAndTheBackupTakesOver(@TempDir Path own) throws Exception {
    String path = "/ls/local/expiry-leader";
    try (EmbeddedCell alone = RecipeCells.start(own);
        TumblerClient a = RecipeCells.client(alone, Duration.ofSeconds(2));
        TumblerClient b = RecipeCells.client(alone, DEADLINE)) {
      Recorder ra = new Recorder();
      Recorder rb = new Recorder();
      try (LeaderElection alpha = candidate(a, path, "alpha", ra);
          LeaderElection beta = candidate(b, path, "beta", rb)) {
        await().atMost(DEADLINE).until(alpha::isLeader);
        await().atMost(DEADLINE).until(() -> beta.leader().equals(Optional.of("alpha")));
        Fence old = alpha.fence().orElseThrow();

        int replica = alone.killMaster();
        await().atMost(DEADLINE).until(() -> ra.told.contains("lost SESSION_EXPIRED"));
        assertThat(alpha.isLeader()).isFalse();
        alone.restart(replica);

        await().atMost(DEADLINE).until(beta::isLeader);
        assertThat(beta.leader()).contains("beta");
        assertThat(b.checkSequencer(old.bytes())).isFalse();
        assertThat(ra.told).containsExactly("elected", "lost SESSION_EXPIRED");
      }
    }
  }
}
