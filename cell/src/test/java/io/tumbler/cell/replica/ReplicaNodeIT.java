package io.tumbler.cell.replica;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Membership;
import io.tumbler.paxos.PaxosConfig;
import io.tumbler.paxos.Role;
import io.tumbler.paxos.durable.LogOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real replicas in one JVM, over loopback TCP, with durable storage: a master is elected,
 * commands are applied in the same order everywhere, a new master takes over when the old one
 * stops, and a restarted replica catches up from its own log and the master.
 */
class ReplicaNodeIT {

  private static final Duration GENEROUS = Duration.ofSeconds(60);

  @TempDir Path dataRoot;

  private final Map<Integer, InetSocketAddress> addresses = new HashMap<>();
  private final Map<Integer, ReplicaNode> nodes = new HashMap<>();
  private final Map<Integer, Recorder> applications = new HashMap<>();
  private PaxosConfig config;
  private long snapshotEverySlots = ReplicaNode.DEFAULT_SNAPSHOT_EVERY_SLOTS;

  /** Records every applied command, in order, and every refused one. */
  private static final class Recorder implements ReplicatedApplication {
    final List<String> applied = new CopyOnWriteArrayList<>();
    final BlockingQueue<Command> refused = new LinkedBlockingQueue<>();

    @Override
    public void refused(List<Command> commands, int leaderHint) {
      refused.addAll(commands);
    }

    final AtomicInteger installs = new AtomicInteger();

    @Override
    public void install(long index, InputStream snapshot) throws IOException {
      String state = new String(snapshot.readAllBytes(), StandardCharsets.UTF_8);
      applied.clear();
      if (!state.isEmpty()) {
        applied.addAll(List.of(state.split("\n")));
      }
      installs.incrementAndGet();
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
      out.write(String.join("\n", applied).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void apply(ChosenEntry entry) {
      for (Command command : entry.value().commands()) {
        applied.add(new String(command.bytes(), StandardCharsets.UTF_8));
      }
    }
  }

  private void startCell() throws Exception {
    startCell(ReplicaNode.DEFAULT_SNAPSHOT_EVERY_SLOTS, 10_000);
  }

  private void startCell(long snapshotEvery, int logRetentionSlots) throws Exception {
    snapshotEverySlots = snapshotEvery;
    for (int id = 1; id <= 3; id++) {
      addresses.put(id, new InetSocketAddress("127.0.0.1", freePort()));
    }
    // Timings generous enough for a loaded 2-core machine, short enough for a test.
    config =
        PaxosConfig.builder(Membership.of(List.of(1, 2, 3)))
            .logRetentionSlots(logRetentionSlots)
            .leaseDurationNanos(TimeUnit.SECONDS.toNanos(3))
            .heartbeatIntervalNanos(TimeUnit.MILLISECONDS.toNanos(200))
            .electionTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(1500))
            .electionJitterMaxNanos(TimeUnit.MILLISECONDS.toNanos(700))
            .build();
    for (int id = 1; id <= 3; id++) {
      startNode(id);
    }
  }

  private void startNode(int id) throws Exception {
    Recorder application = new Recorder();
    ReplicaNode node =
        new ReplicaNode(
            id,
            addresses,
            dataRoot.resolve("replica-" + id),
            config,
            LogOptions.DEFAULTS,
            snapshotEverySlots,
            application);
    node.start();
    nodes.put(id, node);
    applications.put(id, application);
  }

  @AfterEach
  void stopAll() throws InterruptedException {
    for (ReplicaNode node : nodes.values()) {
      node.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private Optional<ReplicaNode> master() {
    return nodes.values().stream()
        .filter(n -> n.status().role() == Role.LEADER && n.status().holdsLease())
        .findFirst();
  }

  private ReplicaNode awaitMaster() {
    await("a master with a lease").atMost(GENEROUS).until(() -> master().isPresent());
    return master().orElseThrow();
  }

  /**
   * Proposes commands to the master and waits until every running replica applied all of them. A
   * command is proposed again only if a replica refused it (it was not taken, so it cannot be
   * applied twice); one merely slow to be chosen is left alone.
   */
  private void replicate(List<String> commands) {
    List<Command> pending = new ArrayList<>();
    for (String command : commands) {
      pending.add(new Command(command.getBytes(StandardCharsets.UTF_8)));
    }
    await("commands applied everywhere")
        .atMost(GENEROUS)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              for (Recorder application : applications.values()) {
                application.refused.drainTo(pending);
              }
              Optional<ReplicaNode> master = master();
              if (!pending.isEmpty() && master.isPresent() && master.get().propose(pending)) {
                pending.clear();
              }
              return nodes.keySet().stream()
                  .allMatch(id -> applications.get(id).applied.containsAll(commands));
            });
  }

  private static List<String> commands(String prefix, int count) {
    List<String> commands = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      commands.add(prefix + "-" + i);
    }
    return commands;
  }

  private void assertSameOrderEverywhere() {
    for (ReplicaNode node : nodes.values()) {
      assertThat(node.status().failure()).as("replica %d stopped", node.id()).isEmpty();
    }
    List<List<String>> logs =
        nodes.keySet().stream().map(id -> List.copyOf(applications.get(id).applied)).toList();
    int shortest = logs.stream().mapToInt(List::size).min().orElse(0);
    for (List<String> log : logs) {
      assertThat(log.subList(0, shortest)).isEqualTo(logs.get(0).subList(0, shortest));
      assertThat(log).doesNotHaveDuplicates();
    }
  }

  @Test
  void electsReplicatesFailsOverAndCatchesUp() throws Exception {
    startCell();
    ReplicaNode first = awaitMaster();
    long firstEpoch = first.status().epoch();

    replicate(commands("a", 200));
    assertSameOrderEverywhere();

    first.close();
    nodes.remove(first.id());
    await("a new master")
        .atMost(GENEROUS)
        .until(() -> master().filter(m -> m.status().epoch() > firstEpoch).isPresent());
    replicate(commands("b", 100));
    assertSameOrderEverywhere();

    // The old master comes back on its own data directory and learns what it missed.
    startNode(first.id());
    List<String> expected = new ArrayList<>(commands("a", 200));
    expected.addAll(commands("b", 100));
    await("the restarted replica catches up")
        .atMost(GENEROUS)
        .until(() -> applications.get(first.id()).applied.containsAll(expected));
    assertSameOrderEverywhere();
  }

  @Test
  void aReplicaThatMissedCompactedEntriesCatchesUpFromASnapshot() throws Exception {
    startCell(20, 5);
    ReplicaNode master = awaitMaster();
    int behind = nodes.keySet().stream().filter(id -> id != master.id()).findFirst().orElseThrow();
    nodes.remove(behind).close();

    // Many small proposals, so that many slots are chosen and snapshots compact the log.
    List<String> expected = new ArrayList<>();
    for (int round = 0; round < 40; round++) {
      List<String> batch = commands("r" + round, 5);
      replicate(batch);
      expected.addAll(batch);
    }
    assertThat(master.status().appliedIndex()).as("slots chosen").isGreaterThanOrEqualTo(40);

    startNode(behind);
    await("the replica catches up from a snapshot")
        .atMost(GENEROUS)
        .until(() -> applications.get(behind).applied.containsAll(expected));
    assertThat(applications.get(behind).installs.get()).as("snapshots installed").isPositive();
    assertSameOrderEverywhere();

    // Restarted, it starts from its own newest snapshot (streamed from its file before start
    // returns), not from an empty state.
    nodes.remove(behind).close();
    startNode(behind);
    List<String> restored = List.copyOf(applications.get(behind).applied);
    assertThat(applications.get(behind).installs.get()).isEqualTo(1);
    assertThat(restored).isNotEmpty();
    assertThat(applications.get(master.id()).applied.subList(0, restored.size()))
        .isEqualTo(restored);
    await("the restarted replica catches up from its snapshot")
        .atMost(GENEROUS)
        .until(() -> applications.get(behind).applied.containsAll(expected));
    assertSameOrderEverywhere();
  }
}
