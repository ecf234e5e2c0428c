package io.tumbler.bench.zookeeper;

import io.tumbler.bench.driver.Driver;
import io.tumbler.bench.driver.DriverSmokeTests;
import io.tumbler.bench.zookeeper.EnsembleConfig.Member;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ZooKeeperDriver} against a real three-server ensemble: separate JVMs started by {@link
 * ZooKeeperEnsemble}, as {@code scripts/zk} starts them, on ports free now (not the scripts'
 * defaults, so a running benchmark ensemble does not collide).
 */
class ZooKeeperDriverIT extends DriverSmokeTests {

  @TempDir static Path dir;
  private static ZooKeeperEnsemble ensemble;

  @BeforeAll
  static void startEnsemble() throws Exception {
    EnsembleConfig config = new EnsembleConfig(dir, membersOnFreePorts(3));
    ensemble = ZooKeeperEnsemble.start(config, System.getProperty("java.class.path"), "256m");
    // The servers are separate processes: stop them even if this JVM ends before @AfterAll.
    Runtime.getRuntime().addShutdownHook(new Thread(ensemble::close, "zk-ensemble-stop"));
    ensemble.awaitQuorum(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopEnsemble() {
    if (ensemble != null) {
      ensemble.close();
    }
  }

  @Override
  protected List<String> addresses() {
    return ensemble.config().clientAddresses();
  }

  @Override
  protected Driver newDriver() {
    return ZooKeeperDriver.localReads();
  }

  private static List<Member> membersOnFreePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3 * n; i++) {
        held.add(new ServerSocket(0));
      }
      List<Member> members = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        members.add(
            new Member(
                i + 1,
                held.get(3 * i).getLocalPort(),
                held.get(3 * i + 1).getLocalPort(),
                held.get(3 * i + 2).getLocalPort()));
      }
      return members;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
