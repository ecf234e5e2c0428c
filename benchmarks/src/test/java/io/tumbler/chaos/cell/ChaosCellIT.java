package io.tumbler.chaos.cell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tumbler.chaos.net.Direction;
import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A chaos cell of three replica processes: each fault the nemesis uses, done by hand, has the
 * effect it should — a new master after the old one is killed, frozen, isolated or cannot send —
 * and the cell still serves once everything healed.
 */
class ChaosCellIT {

  static final Path SERVER_JAR = Path.of("..", "cell", "target", "tumbler-server.jar");

  /** Generous: JVMs start slowly, and elections slower, on a loaded two-core machine. */
  static final Duration DEADLINE = Duration.ofMinutes(2);

  private ChaosCell cell;

  @BeforeEach
  void start(TestInfo test) throws Exception {
    // Under target/, not a temporary directory: the replicas' logs stay for a failure's diagnosis.
    Path dir =
        Path.of(
            "target",
            "chaos-it",
            test.getTestMethod().orElseThrow().getName() + "-" + System.currentTimeMillis());
    cell =
        ChaosCell.start(
            new ChaosCell.Options(3, dir, SERVER_JAR, CellTiming.DEFAULT, 2, List.of()));
  }

  @AfterEach
  void stop() {
    cell.close();
  }

  /** Waits for a serving master other than {@code old}. */
  private int awaitNewMaster(int old) {
    int[] found = new int[1];
    await()
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              for (int id : cell.replicaIds()) {
                if (id != old && cell.health(id).servingMaster()) {
                  found[0] = id;
                  return true;
                }
              }
              return false;
            });
    return found[0];
  }

  private static String roundTrip(TumblerClient client, String value) throws Exception {
    try (Handle h =
        client
            .openAsync("/ls/local/it", OpenOptions.readWrite().createIfAbsent())
            .get(60, TimeUnit.SECONDS)) {
      h.setContentsAsync(io.tumbler.lockservice.command.ByteString.utf8(value))
          .get(60, TimeUnit.SECONDS);
      return h.getContentsAndStatAsync().get(60, TimeUnit.SECONDS).text();
    }
  }

  private TumblerClient client(int group) {
    return TumblerClient.builder()
        .cell(cell.connectString(group))
        .gracePeriod(Duration.ofSeconds(60))
        .build();
  }

  /**
   * A write and a read with a fresh session. Fresh, because a session cut off from its master may
   * expire before it finds the new one: here each fault's effect on the cell is under test, not the
   * client's patience.
   */
  private String roundTrip(String value) throws Exception {
    try (TumblerClient client = client(0)) {
      return roundTrip(client, value);
    }
  }

  @Test
  void eachFaultMovesTheMastershipAndTheCellServesAfterHealing() throws Exception {
    int master = cell.awaitServingMaster(DEADLINE);
    assertThat(cell.pid(master)).isPositive();
    assertThat(roundTrip("v1")).isEqualTo("v1");

    cell.kill9(master);
    assertThat(cell.running(master)).isFalse();
    int second = awaitNewMaster(master);
    cell.restart(master);
    assertThat(roundTrip("v2")).isEqualTo("v2");

    cell.pause(second);
    assertThat(cell.paused(second)).isTrue();
    int third = awaitNewMaster(second);
    cell.resume(second);
    assertThat(roundTrip("v3")).isEqualTo("v3");

    Set<Integer> rest = new HashSet<>(cell.replicaIds());
    rest.remove(third);
    cell.network().partition(List.of(Set.of(third), rest));
    int fourth = awaitNewMaster(third);
    assertThat(roundTrip("v4")).isEqualTo("v4");
    cell.network().healAll();

    for (int other : cell.replicaIds()) {
      if (other != fourth) {
        cell.network().cut(fourth, other); // the master can hear, not send
      }
    }
    awaitNewMaster(fourth);
    cell.network().healAll();
    assertThat(roundTrip("v5")).isEqualTo("v5");
  }

  /**
   * A follower frozen past its election timeout wakes up with the master's heartbeats unread in its
   * sockets: it must follow the master, not depose it (docs/testing.md, "What it found").
   */
  @Test
  void aFollowerWakingFromAPauseLeavesTheMasterInPlace() throws Exception {
    int master = cell.awaitServingMaster(DEADLINE);
    long epoch = cell.health(master).epoch();
    int follower = cell.replicaIds().stream().filter(id -> id != master).findFirst().orElseThrow();
    cell.pause(follower);
    Thread.sleep(4 * CellTiming.DEFAULT.masterLeaseMs()); // far past its election timeout
    cell.resume(follower);
    await("the woken follower follows the master")
        .atMost(DEADLINE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> cell.health(follower).master() == master);
    assertThat(roundTrip("after")).isEqualTo("after");
    assertThat(cell.health(master).servingMaster()).as("still the master").isTrue();
    assertThat(cell.health(master).epoch()).as("the same mastership").isEqualTo(epoch);
  }

  @Test
  void aClientGroupCutFromTheMasterLosesItWhileTheOtherKeepsIt() throws Exception {
    int master = cell.awaitServingMaster(DEADLINE);
    try (TumblerClient kept = client(0);
        TumblerClient cut = client(1)) {
      assertThat(roundTrip(cut, "before")).isEqualTo("before");
      cell.network().cutClients(1, master, Direction.TO_SERVER);
      assertThat(roundTrip(kept, "during")).isEqualTo("during");
      await()
          .atMost(DEADLINE)
          .until(() -> cut.sessionState() != io.tumbler.client.SessionState.HEALTHY);
      assertThat(cell.master()).isEqualTo(Optional.of(master));
      cell.network().healAll();
    }
  }
}
