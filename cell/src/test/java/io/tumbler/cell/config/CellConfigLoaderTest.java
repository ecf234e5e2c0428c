package io.tumbler.cell.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CellConfigLoaderTest {

  private static final String THREE_REPLICAS =
      """
      cell: local
      replicaId: 2
      dataDir: /var/lib/tumbler/replica-2
      replicas:
        - {id: 1, peer: "127.0.0.1:7101", client: "127.0.0.1:7201", admin: "127.0.0.1:7301"}
        - {id: 2, peer: "127.0.0.1:7102", client: "127.0.0.1:7202", admin: "127.0.0.1:7302"}
        - {id: 3, peer: "127.0.0.1:7103", client: "127.0.0.1:7203", admin: "127.0.0.1:7303"}
      """;

  private final CellConfigLoader loader = new CellConfigLoader();

  private CellConfig parse(String yaml) throws IOException {
    return loader.parse(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "replica.yaml");
  }

  @Test
  void loadsAThreeReplicaCell(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("replica.yaml");
    Files.writeString(file, THREE_REPLICAS);

    CellConfig config = loader.load(file);

    assertThat(config.cell()).isEqualTo("local");
    assertThat(config.self().client()).isEqualTo("127.0.0.1:7202");
    assertThat(config.replicas()).extracting(ReplicaAddresses::id).containsExactly(1, 2, 3);
    assertThat(config.quorumSize()).isEqualTo(2);
  }

  @Test
  void unknownFieldIsNamedWithItsPath() {
    assertThatThrownBy(
            () ->
                parse(
                    THREE_REPLICAS.replace(
                        "admin: \"127.0.0.1:7303\"", "admin: \"127.0.0.1:7303\", admn: x")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("replica.yaml: unknown field 'replicas[2].admn'");
  }

  @Test
  void missingFieldIsNamedWithItsPath() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace(", admin: \"127.0.0.1:7303\"", "")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage("replica.yaml: field 'replicas[2].admin' is required");
  }

  @Test
  void wrongTypeIsNamedWithItsPath() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("replicaId: 2", "replicaId: two")))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageStartingWith("replica.yaml: field 'replicaId':");
  }

  @Test
  void replicaIdMustBeAMember() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("replicaId: 2", "replicaId: 7")))
        .hasMessage(
            "replica.yaml: field 'replicaId' 7 is not the id of any entry in 'replicas' [1, 2, 3]");
  }

  @Test
  void replicaCountMustBeOdd() {
    String fourth =
        "  - {id: 4, peer: \"127.0.0.1:7104\", client: \"127.0.0.1:7204\", admin: \"127.0.0.1:7304\"}\n";
    assertThatThrownBy(() -> parse(THREE_REPLICAS + fourth))
        .hasMessageContaining("field 'replicas' must list an odd number of replicas")
        .hasMessageContaining("found 4");
  }

  @Test
  void duplicateIdsAndAddressesAreRefused() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("{id: 3,", "{id: 1,")))
        .hasMessage("replica.yaml: field 'replicas[2].id' duplicates id 1");
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("127.0.0.1:7303", "127.0.0.1:7101")))
        .hasMessage(
            "replica.yaml: field 'replicas[2].admin' 127.0.0.1:7101 is already used by"
                + " 'replicas[0].peer'");
  }

  @Test
  void addressesMustBeHostAndPort() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("\"127.0.0.1:7201\"", "\"127.0.0.1\"")))
        .hasMessage("replica.yaml: field 'replicas[0].client' must be host:port, was '127.0.0.1'");
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("\"127.0.0.1:7201\"", "\"h:99999\"")))
        .hasMessage("replica.yaml: field 'replicas[0].client': not host:port: 'h:99999'");
  }

  @Test
  void cellNameFollowsTheNamingRules() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("cell: local", "cell: a/b")))
        .hasMessage("replica.yaml: field 'cell' must be one name component without '/', was 'a/b'");
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("cell: local", "cell: \"..\"")))
        .hasMessageStartingWith("replica.yaml: field 'cell': not a valid cell name");
  }

  @Test
  void missingAndEmptyFilesSaySo(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> loader.load(dir.resolve("absent.yaml")))
        .hasMessageEndingWith("absent.yaml: no such file");
    Path empty = dir.resolve("empty.yaml");
    Files.writeString(empty, "");
    assertThatThrownBy(() -> loader.load(empty)).hasMessageContaining("empty.yaml:");
  }
}
