package io.tumbler.cell.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.cell.config.PaxosSettings;
import io.tumbler.cell.master.MasterSettings;
import io.tumbler.paxos.Membership;
import io.tumbler.paxos.PaxosConfig;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * What the embedded cell refuses before it starts anything, and the settings it derives. Starting
 * cells is left to client-lib's EmbeddedCellIT, which uses one as an application would.
 */
class EmbeddedCellTest {

  private static final Path DIR = Path.of("unused");

  @Test
  void aCellHasOneOrThreeReplicas() {
    for (int replicas : List.of(-1, 0, 2, 4, 5)) {
      assertThatThrownBy(() -> EmbeddedCell.builder(replicas, DIR))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1 or 3 replicas")
          .hasMessageContaining("not " + replicas);
    }
    EmbeddedCell.builder(1, DIR);
    EmbeddedCell.builder(3, DIR);
  }

  @Test
  void aCellNameMustBeOneValidNameComponent() {
    for (String name : List.of("", "a/b", "/local", "..", "tab\there")) {
      assertThatThrownBy(() -> EmbeddedCell.builder(1, DIR).cellName(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cell name");
    }
    EmbeddedCell.builder(1, DIR).cellName("orders-test");
  }

  @Test
  void aMasterLeaseTooShortToSurviveAPauseIsRefused() {
    assertThatThrownBy(() -> EmbeddedCell.builder(3, DIR).masterLease(Duration.ofMillis(100)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("masterLease must be at least 300 ms");
    EmbeddedCell.builder(3, DIR).masterLease(EmbeddedCell.MIN_MASTER_LEASE);
  }

  @Test
  void aSessionLeaseOutsideTheMastersRangeIsRefused() {
    for (Duration lease : List.of(Duration.ofMillis(999), Duration.ofSeconds(61))) {
      assertThatThrownBy(() -> EmbeddedCell.builder(1, DIR).sessionLease(lease))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sessionLease must be between 1000 and 60000 ms");
    }
  }

  @Test
  void theDefaultTimingsSatisfyTheCoreAndRenewTheLeaseSixTimes() {
    PaxosSettings paxos = EmbeddedCell.Builder.paxosSettings(EmbeddedCell.DEFAULT_MASTER_LEASE);
    PaxosConfig config = paxos.toPaxosConfig(Membership.ofSize(3));
    assertThat(paxos.masterLeaseMs()).isEqualTo(1_500);
    assertThat(paxos.heartbeatIntervalMs()).isEqualTo(250);
    assertThat(config.electionTimeoutNanos()).isGreaterThan(2 * config.heartbeatIntervalNanos());

    MasterSettings sessions =
        EmbeddedCell.Builder.sessionSettings(EmbeddedCell.DEFAULT_SESSION_LEASE);
    assertThat(sessions.sessionLeaseMs()).isEqualTo(5_000);
    assertThat(sessions.keepAliveAnswerAheadMs()).isEqualTo(1_666);
  }

  @Test
  void freePortsAreDistinct() throws IOException {
    List<Integer> ports = FreePorts.loopback(9);
    assertThat(ports).hasSize(9).doesNotHaveDuplicates().allMatch(p -> p > 0);
  }

  @Test
  void aBindFailureIsRecognisedHoweverItIsWrapped() {
    assertThat(FreePorts.addressInUse(new BindException("Address already in use"))).isTrue();
    // Netty's native transport: its own IOException with the system's message.
    assertThat(
            FreePorts.addressInUse(
                new IOException(
                    "replica 2 could not start",
                    new ExecutionException(
                        new IOException("bind(..) failed: Address already in use")))))
        .isTrue();
    assertThat(FreePorts.addressInUse(new IOException("data directory is in use"))).isFalse();
    assertThat(FreePorts.addressInUse(new IllegalStateException("address already in use")))
        .isFalse();
  }

  @Test
  void theTestJvmHasChroniclesFlags() {
    // Surefire's argLine carries them; without them this names what is missing.
    ChronicleFlags.require();
  }
}
