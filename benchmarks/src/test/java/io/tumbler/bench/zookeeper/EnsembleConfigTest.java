package io.tumbler.bench.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnsembleConfigTest {

  @TempDir Path dir;

  @Test
  void defaultPortsStayClearOfTheLocalTumblerCell() {
    EnsembleConfig config = EnsembleConfig.onPorts(dir, 3, EnsembleConfig.DEFAULT_BASE_PORT);

    for (EnsembleConfig.Member m : config.members()) {
      for (int port : new int[] {m.clientPort(), m.quorumPort(), m.electionPort()}) {
        assertThat(port < 7101 || port > 7303).as("port %s", port).isTrue();
      }
    }
    assertThat(config.clientAddresses())
        .containsExactly("127.0.0.1:7401", "127.0.0.1:7402", "127.0.0.1:7403");
  }

  @Test
  void everyMemberIsDurableAndKnowsTheWholeEnsemble() throws Exception {
    EnsembleConfig config = EnsembleConfig.onPorts(dir, 3, 7401);
    config.write();

    String cfg = Files.readString(config.configFile(2));
    assertThat(cfg)
        .contains("forceSync=yes")
        .contains("clientPort=7402")
        .contains("server.1=127.0.0.1:7411:7421;127.0.0.1:7401")
        .contains("server.3=127.0.0.1:7413:7423;127.0.0.1:7403")
        .contains("dataDir=" + config.memberDir(2).resolve("data"));
    assertThat(Files.readString(config.memberDir(2).resolve("data/myid")).trim()).isEqualTo("2");
  }
}
