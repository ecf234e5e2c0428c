package io.tumbler.cell.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tumbler.cell.master.MasterSettings;
import io.tumbler.lockservice.Limits;
import io.tumbler.paxos.durable.LogOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

  @Test
  void leftOutSettingsTakeTheirDefaults() throws IOException {
    CellConfig config = parse(THREE_REPLICAS);

    assertThat(config.adminPrincipals()).containsExactly("*");
    assertThat(config.maxFrameBytes()).isEqualTo(Limits.DEFAULT_MAX_FRAME_BYTES);
    assertThat(config.limits()).isEqualTo(Limits.DEFAULTS);
    assertThat(config.sessions()).isEqualTo(MasterSettings.DEFAULTS);
    assertThat(config.paxos()).isEqualTo(PaxosSettings.DEFAULTS);
    assertThat(config.log()).isEqualTo(LogOptions.DEFAULTS);
    assertThat(config.snapshotEverySlots()).isEqualTo(100_000);
    assertThat(config.paxosConfig().leaseDurationNanos())
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(PaxosSettings.DEFAULT_MASTER_LEASE_MS));
    assertThat(config.paxosConfig().membership().replicaIds()).containsExactly(1, 2, 3);
  }

  @Test
  void settingsGivenAreUsed() throws IOException {
    CellConfig config =
        parse(
            THREE_REPLICAS
                + """
                adminPrincipals: [alice, bob]
                maxFrameBytes: 8388608
                snapshotEverySlots: 500
                sessions: {sessionLeaseMs: 20000, maxQueuedRequestsPerSession: 7}
                paxos: {masterLeaseMs: 3000, heartbeatIntervalMs: 200, electionTimeoutMs: 1500}
                log: {maxRecordsPerSegment: 1024}
                """);

    assertThat(config.adminPrincipals()).containsExactly("alice", "bob");
    assertThat(config.limits().maxFrameBytes()).isEqualTo(8 * 1024 * 1024);
    assertThat(config.snapshotEverySlots()).isEqualTo(500);
    assertThat(config.sessions().sessionLeaseMs()).isEqualTo(20_000);
    assertThat(config.sessions().maxQueuedRequestsPerSession()).isEqualTo(7);
    assertThat(config.sessions().keepAliveAnswerAheadMs())
        .isEqualTo(MasterSettings.DEFAULT_KEEP_ALIVE_ANSWER_AHEAD_MS);
    assertThat(config.paxosConfig().leaseDurationNanos())
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(3000));
    assertThat(config.paxosConfig().heartbeatIntervalNanos())
        .isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
    assertThat(config.log().maxRecordsPerSegment()).isEqualTo(1024);
    assertThat(config.log().maxRecordBytes()).isEqualTo(LogOptions.DEFAULT_MAX_RECORD_BYTES);
  }

  /** The sample in docs/ is what operators copy: it must load, list every field, and not lie. */
  @Test
  void theSampleFileListsEverySettingAtItsDefault() throws IOException {
    Path sample = Path.of("..", "docs", "replica.yaml");

    CellConfig config = loader.load(sample);

    CellConfig defaults = new CellConfig("local", 1, "./data/replica-1", config.replicas());
    assertThat(config).isEqualTo(defaults);
    JsonNode tree = new ObjectMapper(new YAMLFactory()).readTree(sample.toFile());
    assertThat(fieldNames(tree)).containsExactlyInAnyOrder(componentNames(CellConfig.class));
    assertThat(fieldNames(tree.get("sessions")))
        .containsExactlyInAnyOrder(componentNames(MasterSettings.class));
    assertThat(fieldNames(tree.get("paxos")))
        .containsExactlyInAnyOrder(componentNames(PaxosSettings.class));
    assertThat(fieldNames(tree.get("log")))
        .containsExactlyInAnyOrder(componentNames(LogOptions.class));
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String[] componentNames(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents()).map(c -> c.getName()).toArray(String[]::new);
  }

  @Test
  void sessionSettingsAreCheckedByTheirOwnRules() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "sessions: {sessionLeaseMs: 500}\n"))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessage(
            "replica.yaml: field 'sessions.sessionLeaseMs' must be in [1000, 60000], was 500");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "sessions: {keepAliveAnswerAheadMs: 12000}\n"))
        .hasMessageStartingWith("replica.yaml: field 'sessions.keepAliveAnswerAheadMs' must be");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "sessions: {leaseMs: 5}\n"))
        .hasMessageStartingWith("replica.yaml: unknown field 'sessions.leaseMs'");
  }

  @Test
  void paxosSettingsNameTheFieldInTheFile() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "paxos: {electionTimeoutMs: 0}\n"))
        .hasMessage(
            "replica.yaml: field 'paxos.electionTimeoutMs' must be in [1, 86400000] ms, was 0");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "paxos: {maxBatchCommands: 0}\n"))
        .hasMessage("replica.yaml: field 'paxos.maxBatchCommands' must be >= 1");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "paxos: {electionTimeoutMs: 600}\n"))
        .hasMessage("replica.yaml: field 'paxos.electionTimeoutMs' must be >= 2 heartbeats");
    // A rule about how two settings relate names the section.
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "paxos: {heartbeatIntervalMs: 5000}\n"))
        .hasMessageStartingWith(
            "replica.yaml: field 'paxos': the master must be able to renew at least three times");
  }

  @Test
  void theLogMustHoldTheLargestSlot() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "log: {maxRecordBytes: 1048576}\n"))
        .hasMessageStartingWith(
            "replica.yaml: field 'log.maxRecordBytes' 1048576 cannot hold the largest Paxos slot");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "log: {maxRecordsPerSegment: 1}\n"))
        .hasMessageStartingWith("replica.yaml: field 'log.maxRecordsPerSegment' must be >= 2");
  }

  @Test
  void frameSizeMustHoldTheLargestPayloadAndStayBounded() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "maxFrameBytes: 65536\n"))
        .hasMessageStartingWith("replica.yaml: field 'maxFrameBytes' 65536 is too small:");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "maxFrameBytes: 1000000000\n"))
        .hasMessage("replica.yaml: field 'maxFrameBytes' must be at most 67108864, was 1000000000");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "maxFrameBytes: 1.5\n"))
        .hasMessageStartingWith("replica.yaml: field 'maxFrameBytes':");
  }

  @Test
  void adminPrincipalsAreLinesOfTheAdminAcl() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "adminPrincipals: []\n"))
        .hasMessageStartingWith("replica.yaml: field 'adminPrincipals' must list at least one");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "adminPrincipals: [alice, \"b ob\"]\n"))
        .hasMessageStartingWith("replica.yaml: field 'adminPrincipals[1]' must be a non-empty");
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "adminPrincipals: [alice, alice]\n"))
        .hasMessage("replica.yaml: field 'adminPrincipals[1]' lists 'alice' twice");
  }

  @Test
  void aFieldWithoutAValueIsRefusedNotDefaulted() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS + "sessions:\n  sessionLeaseMs:\n"))
        .hasMessage(
            "replica.yaml: field 'sessions.sessionLeaseMs' has no value; give one, or remove the"
                + " field to use its default");
  }

  @Test
  void replicaIdsFitInABallot() {
    assertThatThrownBy(() -> parse(THREE_REPLICAS.replace("{id: 3,", "{id: 70000,")))
        .hasMessage("replica.yaml: field 'replicas[2].id' must be in [0, 65535], was 70000");
  }
}
