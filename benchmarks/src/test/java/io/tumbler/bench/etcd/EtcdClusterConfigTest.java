package io.tumbler.bench.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtcdClusterConfigTest {

  @TempDir Path dir;

  @Test
  void defaultPortsStayClearOfTheLocalTumblerCellAndZooKeeper() {
    EtcdClusterConfig config =
        EtcdClusterConfig.onPorts(dir, 3, EtcdClusterConfig.DEFAULT_BASE_PORT);

    for (EtcdClusterConfig.Member m : config.members()) {
      for (int port : new int[] {m.clientPort(), m.peerPort()}) {
        assertThat(port < 7101 || port > 7303).as("Tumbler port %s", port).isTrue();
        assertThat(port < 7401 || port > 7423).as("ZooKeeper port %s", port).isTrue();
      }
    }
    assertThat(config.clientAddresses())
        .containsExactly("127.0.0.1:7501", "127.0.0.1:7502", "127.0.0.1:7503");
    assertThat(config.member(3).peerPort()).isEqualTo(7513);
  }

  @Test
  void everyMemberStartsANewClusterOfAllMembersWithDurableDefaults() {
    EtcdClusterConfig config = EtcdClusterConfig.onPorts(dir, 3, 7501);

    assertThat(config.arguments(2))
        .contains(
            "--name=etcd-2",
            "--data-dir=" + config.memberDir(2).resolve("data"),
            "--listen-client-urls=http://127.0.0.1:7502",
            "--listen-peer-urls=http://127.0.0.1:7512",
            "--initial-cluster=etcd-1=http://127.0.0.1:7511,etcd-2=http://127.0.0.1:7512,"
                + "etcd-3=http://127.0.0.1:7513",
            "--initial-cluster-state=new")
        .noneMatch(a -> a.startsWith("--unsafe"));
    assertThat(config.memberDir(2)).isEqualTo(dir.toAbsolutePath().resolve("etcd-2"));
  }
}
