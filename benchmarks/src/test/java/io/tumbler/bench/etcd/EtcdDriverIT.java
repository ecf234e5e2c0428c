package io.tumbler.bench.etcd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tumbler.bench.driver.Driver;
import io.tumbler.bench.driver.DriverSmokeTests;
import io.tumbler.bench.etcd.EtcdClusterConfig.Member;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EtcdDriver} against a real three-member cluster: {@code etcd} processes started by {@link
 * EtcdCluster}, as {@code scripts/etcd} starts them, on ports free now (not the scripts' defaults,
 * so a running benchmark cluster does not collide). Skipped where etcd is not installed.
 */
class EtcdDriverIT extends DriverSmokeTests {

  static final Duration QUORUM_TIMEOUT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static EtcdCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    if (EtcdCluster.findBinary().isEmpty()) {
      return; // each test reports itself skipped (requireEtcd); an aborted class would not show
    }
    EtcdClusterConfig config = new EtcdClusterConfig(dir, membersOnFreePorts(3));
    cluster = EtcdCluster.start(config);
    // The members are separate processes: stop them even if this JVM ends before @AfterAll.
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "etcd-cluster-stop"));
    cluster.awaitQuorum(QUORUM_TIMEOUT);
  }

  @BeforeEach
  void requireEtcd() {
    assumeTrue(
        cluster != null,
        "etcd not installed: apt-get install etcd-server (Debian) to run this test");
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected List<String> addresses() {
    return cluster.config().clientAddresses();
  }

  @Override
  protected Driver newDriver() {
    return new EtcdDriver();
  }

  private static List<Member> membersOnFreePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 2 * n; i++) {
        held.add(new ServerSocket(0));
      }
      List<Member> members = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        members.add(
            new Member(i + 1, held.get(2 * i).getLocalPort(), held.get(2 * i + 1).getLocalPort()));
      }
      return members;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }
}
