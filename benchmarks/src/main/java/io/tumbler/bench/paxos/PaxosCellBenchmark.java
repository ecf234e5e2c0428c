package io.tumbler.bench.paxos;

import io.tumbler.paxos.Command;
import io.tumbler.paxos.Membership;
import io.tumbler.paxos.Outputs;
import io.tumbler.paxos.PaxosConfig;
import io.tumbler.paxos.Replica;
import io.tumbler.paxos.Role;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.storage.PersistentState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Chosen commands per second through a 3-replica cell of the Paxos core alone: messages are handed
 * from replica to replica directly, every persist request is durable at once, and time is
 * simulated. What it measures is the protocol's own CPU cost per command (batching, phase 2,
 * commit, apply), the ceiling the network and disk then bring down.
 *
 * <p>Each invocation proposes 64-byte commands at the master and pumps messages until the cell is
 * quiet; scores are chosen commands per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PaxosCellBenchmark {

  static final int BATCH = 64;
  private static final long STEP_NANOS = TimeUnit.MICROSECONDS.toNanos(20);

  private final int batch = BATCH;
  private long proposedCommands;

  private final List<Replica> replicas = new ArrayList<>();
  private final ArrayDeque<Envelope> inFlight = new ArrayDeque<>();
  private final long[] applied = new long[3];
  private final long[] snapshotAt = new long[3];
  private List<Command> commands;
  private Replica leader;
  private long now;
  private long invocations;
  private long chosenCommands;

  @Setup(Level.Trial)
  public void setUp() {
    PaxosConfig config =
        PaxosConfig.builder(Membership.ofSize(3))
            .maxBatchCommands(256)
            .logRetentionSlots(0)
            .build();
    for (int id = 0; id < 3; id++) {
      replicas.add(new Replica(config, id, PersistentState.EMPTY, new SplittableRandom(id), 0));
    }
    commands = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      byte[] bytes = new byte[64];
      bytes[0] = (byte) i;
      commands.add(new Command(bytes));
    }
    // Elect a master: tick everyone until one leads.
    while (leader == null) {
      now += TimeUnit.MILLISECONDS.toNanos(10);
      tickAll();
      for (Replica replica : replicas) {
        if (replica.role() == Role.LEADER && replica.canServeReads(now)) {
          leader = replica;
        }
      }
      if (now > TimeUnit.MINUTES.toNanos(1)) {
        throw new IllegalStateException("no master elected");
      }
    }
  }

  /** Every proposed command must have been chosen, or the score measured nothing. */
  @TearDown(Level.Iteration)
  public void checkEverythingProposedWasChosen() {
    tickAll();
    if (chosenCommands != proposedCommands) {
      throw new IllegalStateException(
          "proposed " + proposedCommands + " commands, chosen " + chosenCommands);
    }
  }

  private void tickAll() {
    for (Replica replica : replicas) {
      handle(replica, replica.onTick(now));
    }
    pump();
  }

  private void handle(Replica replica, Outputs outputs) {
    inFlight.addAll(outputs.messages());
    if (outputs.persist().isPresent()) {
      handle(replica, replica.onPersisted(now, outputs.persist().get().token()));
    }
    for (var entry : outputs.toApply()) {
      applied[replica.id()] = entry.slot();
      if (replica == leader) {
        chosenCommands += entry.value().commands().size();
      }
    }
  }

  private void pump() {
    Envelope envelope;
    while ((envelope = inFlight.pollFirst()) != null) {
      Replica to = replicas.get(envelope.to());
      handle(to, to.onMessage(now, envelope));
    }
  }

  /** A batch of 64 commands in one slot: the master's steady state under load. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long batchOf64CommandsUntilChosen() {
    return proposeUntilChosen(commands);
  }

  /** One command per slot: the per-slot cost of phase 2, commit and apply. */
  @Benchmark
  public long singleCommandUntilChosen() {
    return proposeUntilChosen(commands.subList(0, 1));
  }

  private long proposeUntilChosen(List<Command> toPropose) {
    now += STEP_NANOS;
    proposedCommands += toPropose.size();
    handle(leader, leader.propose(now, toPropose));
    pump();
    if (++invocations % 64 == 0) {
      tickAll(); // heartbeats keep the lease and carry the commit index to followers
      for (Replica replica : replicas) {
        long index = replica.appliedIndex();
        if (index - snapshotAt[replica.id()] >= 1024) {
          snapshotAt[replica.id()] = index;
          // Only the core is measured, so there are no snapshot files: a reference to an empty
          // body stands in (CRC32C of nothing is 0). No replica here ever needs to fetch it.
          handle(replica, replica.onSnapshotTaken(now, new SnapshotRef(index, 0, 0)));
        }
      }
      if (leader.role() != Role.LEADER) {
        throw new IllegalStateException("the master lost its mastership: " + leader);
      }
    }
    return chosenCommands;
  }
}
