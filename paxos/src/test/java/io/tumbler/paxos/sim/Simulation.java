package io.tumbler.paxos.sim;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Event;
import io.tumbler.paxos.Membership;
import io.tumbler.paxos.Outputs;
import io.tumbler.paxos.PaxosConfig;
import io.tumbler.paxos.PlantedBugs;
import io.tumbler.paxos.Replica;
import io.tumbler.paxos.Role;
import io.tumbler.paxos.SnapshotChunkSend;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.Value;
import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.message.Message;
import io.tumbler.paxos.storage.InMemoryStorage;
import io.tumbler.paxos.storage.PersistRequest;
import io.tumbler.paxos.storage.PersistentState;
import io.tumbler.paxos.storage.StorageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * A whole cell in one thread, from one seed: replicas, a network that delays, drops, duplicates,
 * reorders and partitions, disks that lose unsynced writes on a crash, clocks that drift within the
 * configured bound, and clients of a replicated counter. A safety phase with faults is followed by
 * a liveness phase without them. Every step is followed by the invariant checks; the first broken
 * one ends the run with the seed, a one-line reproduction and the trace near the failure.
 *
 * <p>Time here is true time; each replica only ever sees its own clock's reading of it.
 */
public final class Simulation {

  /** How a run is set up; everything else comes from the seed. */
  public record Options(
      int replicas,
      PlantedBugs plantedBugs,
      long safetyPhaseNanos,
      long livenessBoundNanos,
      long maxSteps,
      boolean verbose,
      boolean acceptorChecks) {

    public static Options defaults(int replicas) {
      return new Options(
          replicas,
          PlantedBugs.NONE,
          TimeUnit.SECONDS.toNanos(5),
          TimeUnit.SECONDS.toNanos(6),
          3_000_000,
          false,
          true);
    }

    public Options withPlantedBugs(PlantedBugs bugs) {
      return new Options(
          replicas, bugs, safetyPhaseNanos, livenessBoundNanos, maxSteps, verbose, acceptorChecks);
    }

    /**
     * Turns the acceptor-level checks (1a), (1b) and (4a) off, leaving only the cell-level
     * invariants (1)-(5): to see whether a planted bug also breaks what clients can observe.
     */
    public Options withoutAcceptorChecks() {
      return new Options(
          replicas, plantedBugs, safetyPhaseNanos, livenessBoundNanos, maxSteps, verbose, false);
    }

    /** Prints faults and role changes to stderr as they happen. */
    public Options withVerbose(boolean on) {
      return new Options(
          replicas,
          plantedBugs,
          safetyPhaseNanos,
          livenessBoundNanos,
          maxSteps,
          on,
          acceptorChecks);
    }
  }

  /** What one seed did; {@code violation} is null when every check held. */
  public record Result(
      long seed,
      int replicas,
      long steps,
      long elections,
      long chosen,
      String violation,
      List<String> trace,
      String plantedBugFlag) {

    public boolean ok() {
      return violation == null;
    }

    public String reproduction() {
      return "scripts/simulate --seed " + seed + " --replicas " + replicas + plantedBugFlag;
    }

    public String report() {
      StringBuilder sb = new StringBuilder();
      sb.append("VIOLATION seed=").append(seed).append(": ").append(violation).append('\n');
      sb.append("reproduce: ").append(reproduction()).append('\n');
      sb.append("last steps:\n");
      for (String line : trace) {
        sb.append("  ").append(line).append('\n');
      }
      return sb.toString();
    }
  }

  /**
   * Promise pages of two to five votes (a vote is 24 bytes as a no-op, up to 88 with four
   * commands), four pages a window: an election pages whenever more than a few slots are unsettled,
   * and one after a power cut, with hundreds, pages through many windows.
   */
  static final int PROMISE_PAGE_BYTES = 128;

  static final int PROMISE_PAGES_PER_REQUEST = 4;

  /** The core's configuration the simulator runs with: short leases so a run sees many. */
  public static PaxosConfig cellConfig(int replicas, PlantedBugs bugs) {
    return PaxosConfig.builder(Membership.ofSize(replicas))
        .leaseDurationNanos(TimeUnit.MILLISECONDS.toNanos(300))
        .clockDriftPpm(100_000)
        .heartbeatIntervalNanos(TimeUnit.MILLISECONDS.toNanos(50))
        .electionTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(150))
        .electionJitterMaxNanos(TimeUnit.MILLISECONDS.toNanos(50))
        .resendIntervalNanos(TimeUnit.MILLISECONDS.toNanos(40))
        .catchUpRetryNanos(TimeUnit.MILLISECONDS.toNanos(40))
        .maxSlotsInFlight(8)
        .maxBatchCommands(4)
        // Four 12-byte commands fill a batch first; the bytes bound only lets a promise page be
        // larger than one batch (a page must fit where a batch does).
        .maxBatchBytes(PROMISE_PAGE_BYTES)
        .maxCommandBytes(16)
        .maxPendingCommands(64)
        .catchUpChunkEntries(16)
        .snapshotChunkBytes(64)
        .snapshotChunksPerRequest(2)
        .logRetentionSlots(64)
        .promisePageBytes(PROMISE_PAGE_BYTES)
        .promisePagesPerRequest(PROMISE_PAGES_PER_REQUEST)
        .plantedBugs(bugs)
        .build();
  }

  /** The names {@code scripts/simulate --bug} takes, one per planted bug. */
  public static PlantedBugs plantedBug(String name) {
    return switch (name) {
      case "accept-below-promise" -> new PlantedBugs(true, false, false, false, false);
      case "ignore-higher-accepted" -> new PlantedBugs(false, true, false, false, false);
      case "lease-no-drift" -> new PlantedBugs(false, false, true, false, false);
      case "ack-before-persist" -> new PlantedBugs(false, false, false, true, false);
      case "ignore-unpaged-votes" -> new PlantedBugs(false, false, false, false, true);
      default -> throw new IllegalArgumentException("unknown planted bug " + name);
    };
  }

  private static String plantedBugFlag(PlantedBugs bugs) {
    for (String name :
        List.of(
            "accept-below-promise",
            "ignore-higher-accepted",
            "lease-no-drift",
            "ack-before-persist",
            "ignore-unpaged-votes")) {
      if (plantedBug(name).equals(bugs)) {
        return " --bug " + name;
      }
    }
    return bugs.any() ? " (several planted bugs)" : "";
  }

  public static Result run(long seed, Options options) {
    return new Simulation(seed, options).run();
  }

  // ---- scheduled events ----

  private sealed interface Ev {}

  private record Deliver(Envelope envelope) implements Ev {}

  private record Tick(int node, int incarnation) implements Ev {}

  private record Persisted(int node, int incarnation, long token) implements Ev {}

  private record ClientTick(int client) implements Ev {}

  private record Crash() implements Ev {}

  private record Restart(int node) implements Ev {}

  private record Partition() implements Ev {}

  private record Heal() implements Ev {}

  private record LivenessStart() implements Ev {}

  private record Scheduled(long at, long seq, Ev event) implements Comparable<Scheduled> {
    @Override
    public int compareTo(Scheduled other) {
      int byTime = Long.compare(at, other.at);
      return byTime != 0 ? byTime : Long.compare(seq, other.seq);
    }
  }

  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final int CLIENTS = 3;
  private static final int MAX_OUTSTANDING_PER_CLIENT = 3;
  private static final long CLIENT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final int TRACE_LINES = 60;

  private final class Node {
    final int id;
    final InMemoryStorage storage = new InMemoryStorage();
    final long clockOffsetNanos;
    final double clockRate;
    Replica replica;
    CounterStateMachine app;
    int incarnation;
    long lastSnapshotIndex;
    // The highest promise and votes this acceptor has answered for, across restarts: answers
    // follow durability, so a crash must never take it below them.
    Ballot promiseVouched = Ballot.ZERO;
    Ballot lastPrepared = Ballot.ZERO;
    int lastPreparedIncarnation;
    final Map<Long, Ballot> votesVouched = new HashMap<>();

    Node(int id, long clockOffsetNanos, double clockRate) {
      this.id = id;
      this.clockOffsetNanos = clockOffsetNanos;
      this.clockRate = clockRate;
    }

    long localNow(long trueNanos) {
      return clockOffsetNanos + (long) (trueNanos * clockRate);
    }

    boolean up() {
      return replica != null;
    }
  }

  private record Outstanding(int client, int node, int incarnation, long sentAt) {}

  private final long seed;
  private final Options options;
  private final SplittableRandom random;
  private final PaxosConfig config;
  private Swarm swarm;
  private final List<Node> nodes = new ArrayList<>();
  private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
  private long seq;
  private long now;
  private long steps;
  private long elections;
  private final boolean[][] blocked;

  // ---- what the checker knows ----
  private final Map<Long, Value> valueAt = new HashMap<>();

  private record SlotBallot(long slot, Ballot ballot) {}

  /** Votes that replicas answered for, per slot and ballot: a majority means chosen. */
  private final Map<SlotBallot, Value> proposed = new HashMap<>();

  private final Map<SlotBallot, Set<Integer>> voters = new HashMap<>();
  private final Map<Long, Value> chosenByVotes = new HashMap<>();
  private final Map<Long, Long> hashAt = new HashMap<>();
  private final Map<Long, Long> slotOfCommand = new HashMap<>();
  private final Map<Long, List<Long>> ackedAt = new HashMap<>();
  private final Map<Long, Outstanding> outstanding = new LinkedHashMap<>();
  private final int[] outstandingPerClient = new int[CLIENTS];
  private final int[] clientGuess = new int[CLIENTS];
  private long maxSlot;
  private long nextCommandId = 1;
  private long maxLeaseEpoch;
  private boolean liveness;
  private long livenessStartNanos;
  private long livenessAckSlot = -1;

  private record Step(long at, Ev event) {
    @Override
    public String toString() {
      return String.format(java.util.Locale.ROOT, "t=%.6fs %s", at / 1e9, event);
    }
  }

  /** The last steps, formatted only when a violation is reported. */
  private final ArrayDeque<Step> trace = new ArrayDeque<>();

  private Simulation(long seed, Options options) {
    this.seed = seed;
    this.options = options;
    this.random = new SplittableRandom(seed);
    this.config = cellConfig(options.replicas(), options.plantedBugs());
    this.swarm = Swarm.draw(random);
    this.blocked = new boolean[options.replicas()][options.replicas()];
    double drift = config.clockDriftPpm() / 1e6;
    for (int i = 0; i < options.replicas(); i++) {
      double u =
          random.nextDouble() < swarm.driftExtremeRate()
              ? (random.nextBoolean() ? 1.0 : -1.0)
              : random.nextDouble(-1.0, 1.0);
      // Stay a hair inside the bound so rounding never takes a clock outside it.
      double rate = 1.0 + u * drift * 0.999;
      long offset = random.nextLong(TimeUnit.SECONDS.toNanos(100));
      nodes.add(new Node(i, offset, rate));
    }
    java.util.Arrays.fill(clientGuess, -1);
  }

  private void schedule(long at, Ev event) {
    queue.add(new Scheduled(at, seq++, event));
  }

  private Result run() {
    String violation = null;
    try {
      for (Node node : nodes) {
        start(node);
      }
      for (int c = 0; c < CLIENTS; c++) {
        schedule(random.nextLong(swarm.clientIntervalNanos()), new ClientTick(c));
      }
      scheduleFaults();
      schedule(options.safetyPhaseNanos(), new LivenessStart());
      while (true) {
        Scheduled next = queue.poll();
        if (next == null) {
          throw new InvariantViolation("event queue ran dry");
        }
        now = next.at();
        steps++;
        record(next.event());
        if (options.verbose()
            && !(next.event() instanceof Deliver
                || next.event() instanceof Tick
                || next.event() instanceof Persisted
                || next.event() instanceof ClientTick)) {
          System.err.printf("t=%.6fs %s%n", now / 1e9, next.event());
        }
        dispatch(next.event());
        checkAfterStep();
        if (liveness && livenessDone()) {
          break;
        }
        if (liveness && now > livenessStartNanos + options.livenessBoundNanos()) {
          throw new InvariantViolation(
              "(5) liveness: no master with a chosen, everywhere-applied proposal within "
                  + options.livenessBoundNanos() / 1_000_000
                  + " ms after faults stopped; "
                  + describeNodes());
        }
        if (steps > options.maxSteps()) {
          throw new InvariantViolation("step budget exceeded: " + describeNodes());
        }
      }
    } catch (InvariantViolation e) {
      violation = e.getMessage();
    } catch (RuntimeException e) {
      violation = "core assertion: " + e;
    }
    return new Result(
        seed,
        options.replicas(),
        steps,
        elections,
        maxSlot,
        violation,
        violation == null ? List.of() : trace.stream().map(Step::toString).toList(),
        plantedBugFlag(options.plantedBugs())
            + (options.acceptorChecks() ? "" : " --cell-checks-only"));
  }

  private void record(Ev event) {
    if (trace.size() == TRACE_LINES) {
      trace.pollFirst();
    }
    trace.addLast(new Step(now, event));
  }

  private String describeNodes() {
    StringBuilder sb = new StringBuilder();
    for (Node node : nodes) {
      sb.append(node.up() ? node.replica.toString() : "node " + node.id + " down").append("; ");
    }
    return sb.toString();
  }

  // ---- faults ----

  private void scheduleFaults() {
    long end = options.safetyPhaseNanos();
    if (swarm.partitionsPerSecond() > 0) {
      long t = 0;
      while (true) {
        t += (long) (random.nextExponential() * 1e9 / swarm.partitionsPerSecond());
        if (t >= end) {
          break;
        }
        schedule(t, new Partition());
      }
    }
    if (swarm.crashesPerSecond() > 0) {
      long t = 0;
      while (true) {
        t += (long) (random.nextExponential() * 1e9 / swarm.crashesPerSecond());
        if (t >= end) {
          break;
        }
        schedule(t, new Crash());
      }
    }
  }

  private void dispatch(Ev event) {
    if (event instanceof Deliver deliver) {
      Node node = nodes.get(deliver.envelope().to());
      if (node.up()) {
        process(node, node.replica.onMessage(node.localNow(now), deliver.envelope()));
      }
    } else if (event instanceof Tick tick) {
      Node node = nodes.get(tick.node());
      if (node.up() && node.incarnation == tick.incarnation()) {
        process(node, node.replica.onTick(node.localNow(now)));
        schedule(now + TICK_NANOS, tick);
      }
    } else if (event instanceof Persisted persisted) {
      Node node = nodes.get(persisted.node());
      if (node.up() && node.incarnation == persisted.incarnation()) {
        long durable = node.storage.syncThrough(persisted.token());
        process(node, node.replica.onPersisted(node.localNow(now), durable));
      }
    } else if (event instanceof ClientTick clientTick) {
      clientTick(clientTick.client());
    } else if (event instanceof Crash) {
      List<Node> victims = new ArrayList<>();
      double kind = random.nextDouble();
      if (kind < 0.2) {
        // Correlated: a power cut takes down a majority at once, losing every unsynced write.
        List<Node> up = upNodes();
        while (!up.isEmpty() && victims.size() < config.membership().quorumSize()) {
          victims.add(up.remove(random.nextInt(up.size())));
        }
      } else {
        Node leader = kind < 0.6 ? leader() : null;
        if (leader != null) {
          victims.add(leader);
        } else {
          List<Node> up = upNodes();
          if (!up.isEmpty()) {
            victims.add(up.get(random.nextInt(up.size())));
          }
        }
      }
      for (Node victim : victims) {
        crash(victim);
        schedule(
            now + TimeUnit.MILLISECONDS.toNanos(5) + random.nextLong(TimeUnit.SECONDS.toNanos(1)),
            new Restart(victim.id));
      }
    } else if (event instanceof Restart restart) {
      Node node = nodes.get(restart.node());
      if (!node.up()) {
        start(node);
      }
    } else if (event instanceof Partition) {
      partition();
      schedule(
          now
              + TimeUnit.MILLISECONDS.toNanos(50)
              + random.nextLong(TimeUnit.MILLISECONDS.toNanos(1500)),
          new Heal());
    } else if (event instanceof Heal) {
      heal();
    } else if (event instanceof LivenessStart) {
      liveness = true;
      livenessStartNanos = now;
      swarm = swarm.calm();
      heal();
      for (Node node : nodes) {
        if (!node.up()) {
          start(node);
        }
      }
    } else {
      throw new AssertionError("unknown event " + event);
    }
  }

  private List<Node> upNodes() {
    List<Node> up = new ArrayList<>();
    for (Node node : nodes) {
      if (node.up()) {
        up.add(node);
      }
    }
    return up;
  }

  /** A replica that believes it is master (the newest one if several do), or null. */
  private Node leader() {
    Node best = null;
    for (Node node : nodes) {
      if (node.up() && node.replica.role() == Role.LEADER) {
        if (best == null || node.replica.epoch() > best.replica.epoch()) {
          best = node;
        }
      }
    }
    return best;
  }

  private void partition() {
    heal();
    int n = nodes.size();
    Node leader = leader();
    double kind = random.nextDouble();
    if (leader != null && kind < 0.6) {
      // Cut the master off, in one direction or both.
      boolean inbound = random.nextBoolean();
      boolean outbound = !inbound || random.nextBoolean();
      for (int other = 0; other < n; other++) {
        if (other != leader.id) {
          blocked[other][leader.id] = inbound;
          blocked[leader.id][other] = outbound;
        }
      }
    } else if (kind < 0.8) {
      // Symmetric: a random side cut off from the rest.
      boolean[] side = new boolean[n];
      int members = 1 + random.nextInt(n - 1);
      for (int k = 0; k < members; k++) {
        side[random.nextInt(n)] = true;
      }
      for (int a = 0; a < n; a++) {
        for (int b = 0; b < n; b++) {
          blocked[a][b] = side[a] != side[b];
        }
      }
    } else {
      // One-way: some links carry messages in one direction only.
      int links = 1 + random.nextInt(n);
      for (int k = 0; k < links; k++) {
        int a = random.nextInt(n);
        int b = random.nextInt(n);
        if (a != b) {
          blocked[a][b] = true;
        }
      }
    }
  }

  private void heal() {
    for (boolean[] row : blocked) {
      java.util.Arrays.fill(row, false);
    }
  }

  private void crash(Node node) {
    // Messages still in the victim's send buffers die with it; those on the wire arrive.
    List<Scheduled> kept = new ArrayList<>(queue.size());
    for (Scheduled scheduled : queue) {
      if (scheduled.event() instanceof Deliver deliver
          && deliver.envelope().from() == node.id
          && random.nextBoolean()) {
        continue;
      }
      kept.add(scheduled);
    }
    queue.clear();
    queue.addAll(kept);
    node.storage.crash();
    node.replica = null;
    node.app = null;
    node.incarnation++;
  }

  private void start(Node node) {
    PersistentState state = node.storage.load();
    node.app = new CounterStateMachine();
    if (state.snapshot().isPresent()) {
      restore(node, state.snapshot().get());
    }
    node.lastSnapshotIndex = state.snapshotIndex();
    node.incarnation++;
    node.replica =
        new Replica(
            config, node.id, state, new SplittableRandom(random.nextLong()), node.localNow(now));
    schedule(now + random.nextLong(TICK_NANOS) + 1, new Tick(node.id, node.incarnation));
  }

  // ---- network ----

  private void send(Envelope envelope) {
    if (blocked[envelope.from()][envelope.to()]) {
      return;
    }
    if (random.nextDouble() < swarm.dropRate()) {
      return;
    }
    if (envelope.message() instanceof Message.SnapshotChunk chunk
        && chunk.bytes().length > 0
        && random.nextDouble() < swarm.chunkCorruptRate()) {
      // A chunk damaged on the way: the receiver must refuse the snapshot, never install it.
      byte[] damaged = chunk.bytes().clone();
      damaged[random.nextInt(damaged.length)] ^= (byte) (1 + random.nextInt(255));
      envelope =
          new Envelope(
              envelope.from(),
              envelope.to(),
              new Message.SnapshotChunk(
                  chunk.snapshotIndex(),
                  chunk.offset(),
                  damaged,
                  chunk.totalBytes(),
                  chunk.checksum()));
    }
    schedule(now + networkDelay(), new Deliver(envelope));
    if (random.nextDouble() < swarm.duplicateRate()) {
      schedule(now + networkDelay(), new Deliver(envelope));
    }
  }

  private long networkDelay() {
    long delay = 100_000 + random.nextLong(swarm.maxDelayNanos());
    if (random.nextDouble() < swarm.longDelayRate()) {
      delay += random.nextLong(3 * config.leaseDurationNanos());
    }
    return delay;
  }

  // ---- clients ----

  private void clientTick(int client) {
    schedule(now + 1 + random.nextLong(swarm.clientIntervalNanos()), new ClientTick(client));
    outstanding
        .values()
        .removeIf(
            o -> {
              if (now - o.sentAt() > CLIENT_TIMEOUT_NANOS) {
                outstandingPerClient[o.client()]--;
                return true;
              }
              return false;
            });
    if (outstandingPerClient[client] >= MAX_OUTSTANDING_PER_CLIENT) {
      return;
    }
    int target = clientGuess[client];
    if (target < 0 || !nodes.get(target).up()) {
      target = random.nextInt(nodes.size());
    }
    Node node = nodes.get(target);
    if (!node.up()) {
      return;
    }
    long id = nextCommandId++;
    Command command = CounterStateMachine.command(id, 1 + random.nextInt(9));
    outstanding.put(id, new Outstanding(client, node.id, node.incarnation, now));
    outstandingPerClient[client]++;
    Outputs outputs = node.replica.propose(node.localNow(now), List.of(command));
    if (!outputs.refused().isEmpty()) {
      clientGuess[client] = node.replica.leaderHint();
    } else {
      clientGuess[client] = node.id;
    }
    process(node, outputs);
  }

  // ---- carrying out a replica's outputs ----

  private void process(Node node, Outputs outputs) {
    if (outputs.persist().isPresent()) {
      PersistRequest request = outputs.persist().get();
      node.storage.write(request);
      schedule(
          now + 1 + random.nextLong(swarm.maxDiskLatencyNanos()),
          new Persisted(node.id, node.incarnation, request.token()));
    }
    if (outputs.persist().isPresent() && options.acceptorChecks()) {
      checkVotes(node, outputs.persist().get());
    }
    for (Envelope envelope : outputs.messages()) {
      countVotes(node, envelope.message());
      if (options.acceptorChecks()) {
        checkAcknowledgementIsDurable(node, envelope);
        vouch(node, envelope.message());
      }
      send(envelope);
    }
    for (SnapshotChunkSend chunk : outputs.snapshotChunksToSend()) {
      // The driver, not the core, reads the chunk from the stored snapshot.
      var bytes = node.storage.read(chunk.snapshot(), chunk.offset(), chunk.length());
      if (bytes.isPresent()) {
        send(chunk.envelope(bytes.get()));
      } else {
        process(
            node, node.replica.onSnapshotUnavailable(node.localNow(now), chunk.snapshot().index()));
      }
    }
    if (outputs.snapshotToInstall().isPresent()) {
      SnapshotRef install = outputs.snapshotToInstall().get();
      restore(node, install);
      node.lastSnapshotIndex = install.index();
    }
    for (ChosenEntry entry : outputs.toApply()) {
      applyChecked(node, entry);
    }
    for (Command command : outputs.refused()) {
      Outstanding o = outstanding.remove(CounterStateMachine.commandId(command));
      if (o != null) {
        outstandingPerClient[o.client()]--;
      }
    }
    for (Event event : outputs.events()) {
      if (options.verbose()) {
        System.err.printf("t=%.6fs replica %d: %s%n", now / 1e9, node.id, event);
      }
      if (event instanceof Event.RoleChanged changed && changed.to() == Role.LEADER) {
        elections++;
      }
    }
    if (node.up() && node.app.appliedIndex() - node.lastSnapshotIndex >= swarm.snapshotEvery()) {
      long index = node.app.appliedIndex();
      node.lastSnapshotIndex = index;
      SnapshotRef snapshot;
      try {
        snapshot = node.storage.write(index, node.replica.promised(), node.app::snapshotTo);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      process(node, node.replica.onSnapshotTaken(node.localNow(now), snapshot));
    }
  }

  /** Streams a stored snapshot into the node's application, as a restart or an install does. */
  private void restore(Node node, SnapshotRef snapshot) {
    try (InputStream body = node.storage.open(snapshot)) {
      node.app.restore(snapshot.index(), body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    checkSnapshotHash(node, snapshot.index());
  }

  /**
   * (1a) An acceptor never votes below a promise it answered for, nor replaces a vote it answered
   * for with one under a lower ballot: what phase 1 of every later master relies on.
   */
  private void checkVotes(Node node, PersistRequest request) {
    for (StorageRecord record : request.records()) {
      if (record instanceof StorageRecord.AcceptRecord accept) {
        AcceptedEntry vote = accept.entry();
        Ballot vouched = node.votesVouched.get(vote.slot());
        if (vote.ballot().compareTo(node.promiseVouched) < 0
            || (vouched != null && vote.ballot().compareTo(vouched) < 0)) {
          throw new InvariantViolation(
              "(1a) replica "
                  + node.id
                  + " voted "
                  + vote.ballot()
                  + " for slot "
                  + vote.slot()
                  + " below the promise "
                  + node.promiseVouched
                  + " or vote "
                  + vouched
                  + " it had already answered for");
        }
      }
    }
  }

  /**
   * (4a) A promise or an Accepted leaves a replica only once what it vouches for is durable: the
   * promise, and the vote (or a snapshot covering the slot).
   */
  private void checkAcknowledgementIsDurable(Node node, Envelope envelope) {
    Message message = envelope.message();
    Ballot vouchedPromise = null;
    if (message instanceof Message.Promise promise) {
      vouchedPromise = promise.ballot();
    } else if (message instanceof Message.PromiseVotes page) {
      vouchedPromise = page.ballot();
    }
    if (vouchedPromise != null) {
      if (node.storage.durablePromise().compareTo(vouchedPromise) < 0) {
        throw new InvariantViolation(
            "(4a) replica "
                + node.id
                + " sent "
                + vouchedPromise
                + " promise before it was durable");
      }
    } else if (message instanceof Message.Accepted ack) {
      AcceptedEntry vote = node.storage.durableVote(ack.slot());
      boolean covered = ack.slot() <= node.storage.durableSnapshotIndex();
      // A later vote under a higher ballot may already have replaced this one; both were durable.
      if (!covered && (vote == null || vote.ballot().compareTo(ack.ballot()) < 0)) {
        throw new InvariantViolation(
            "(4a) replica "
                + node.id
                + " acknowledged slot "
                + ack.slot()
                + " under "
                + ack.ballot()
                + " before the vote was durable");
      }
    }
  }

  /**
   * (1) in its strict form, independent of who learns what: a value is chosen the moment a majority
   * has answered Accepted for it under one ballot, and no two such values may differ for a slot.
   */
  private void countVotes(Node node, Message message) {
    if (message instanceof Message.Accept accept) {
      SlotBallot key = new SlotBallot(accept.slot(), accept.ballot());
      Value earlier = proposed.putIfAbsent(key, accept.value());
      if (earlier != null && !earlier.equals(accept.value())) {
        throw new InvariantViolation(
            "(1) two values proposed for slot " + accept.slot() + " under " + accept.ballot());
      }
    } else if (message instanceof Message.Accepted ack) {
      SlotBallot key = new SlotBallot(ack.slot(), ack.ballot());
      Set<Integer> set = voters.computeIfAbsent(key, k -> new HashSet<>(8));
      if (set.add(node.id) && set.size() == config.membership().quorumSize()) {
        Value value = proposed.get(key);
        if (value == null) {
          throw new InvariantViolation("(1) a vote for a value nobody proposed: " + key);
        }
        Value earlier = chosenByVotes.putIfAbsent(ack.slot(), value);
        if (earlier != null && !earlier.equals(value)) {
          throw new InvariantViolation(
              "(1) two values chosen by a majority for slot "
                  + ack.slot()
                  + ": "
                  + earlier
                  + ", then "
                  + value
                  + " under "
                  + ack.ballot());
        }
      }
    }
  }

  private static void vouch(Node node, Message message) {
    if (message instanceof Message.Prepare prepare) {
      int order = prepare.ballot().compareTo(node.lastPrepared);
      if (order < 0 || (order == 0 && node.lastPreparedIncarnation != node.incarnation)) {
        throw new InvariantViolation(
            "(1b) replica " + node.id + " proposed under " + prepare.ballot() + " again");
      }
      node.lastPrepared = prepare.ballot();
      node.lastPreparedIncarnation = node.incarnation;
    } else if (message instanceof Message.Promise promise) {
      if (promise.ballot().compareTo(node.promiseVouched) > 0) {
        node.promiseVouched = promise.ballot();
      }
    } else if (message instanceof Message.Accepted ack) {
      if (ack.ballot().compareTo(node.promiseVouched) > 0) {
        node.promiseVouched = ack.ballot();
      }
      node.votesVouched.merge(ack.slot(), ack.ballot(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
    }
  }

  private void applyChecked(Node node, ChosenEntry entry) {
    long slot = entry.slot();
    if (slot != node.app.appliedIndex() + 1) {
      throw new InvariantViolation(
          "(3) replica " + node.id + " applied slot " + slot + " after " + node.app.appliedIndex());
    }
    node.app.apply(entry);
    maxSlot = Math.max(maxSlot, slot);
    Value first = valueAt.putIfAbsent(slot, entry.value());
    if (first != null && !first.equals(entry.value())) {
      throw new InvariantViolation(
          "(1) two values chosen for slot "
              + slot
              + ": "
              + first
              + " earlier, "
              + entry.value()
              + " at replica "
              + node.id);
    }
    Long hash = hashAt.putIfAbsent(slot, node.app.hash());
    if (hash != null && hash != node.app.hash()) {
      throw new InvariantViolation(
          "(3) replica " + node.id + " state after slot " + slot + " differs from another's");
    }
    for (Command command : entry.value().commands()) {
      long id = CounterStateMachine.commandId(command);
      Long at = slotOfCommand.putIfAbsent(id, slot);
      if (at != null && at != slot) {
        throw new InvariantViolation(
            "(3) command " + id + " applied at slot " + at + " and again at slot " + slot);
      }
      Outstanding o = outstanding.get(id);
      if (o != null && o.node() == node.id && o.incarnation() == node.incarnation) {
        outstanding.remove(id);
        outstandingPerClient[o.client()]--;
        ackedAt.computeIfAbsent(slot, s -> new ArrayList<>()).add(id);
        if (liveness && o.sentAt() >= livenessStartNanos && livenessAckSlot < 0) {
          livenessAckSlot = slot;
        }
      }
    }
    List<Long> acked = ackedAt.get(slot);
    if (acked != null) {
      for (long id : acked) {
        boolean present = false;
        for (Command command : entry.value().commands()) {
          if (CounterStateMachine.commandId(command) == id) {
            present = true;
            break;
          }
        }
        if (!present) {
          throw new InvariantViolation(
              "(4) command "
                  + id
                  + " acknowledged at slot "
                  + slot
                  + " is missing from replica "
                  + node.id
                  + "'s entry "
                  + entry.value());
        }
      }
    }
  }

  private void checkSnapshotHash(Node node, long index) {
    Long hash = hashAt.get(index);
    if (hash == null || hash != node.app.hash()) {
      throw new InvariantViolation(
          "(3) replica " + node.id + " installed a snapshot at " + index + " nobody applied to");
    }
  }

  // ---- checks after every step ----

  private void checkAfterStep() {
    int holder = -1;
    for (Node node : nodes) {
      if (!node.up() || !node.replica.holdsLease(node.localNow(now))) {
        continue;
      }
      if (holder >= 0) {
        throw new InvariantViolation(
            "(2) replicas "
                + holder
                + " and "
                + node.id
                + " both hold a master lease at true time "
                + now
                + "; "
                + describeNodes());
      }
      holder = node.id;
      long epoch = node.replica.epoch();
      if (epoch < maxLeaseEpoch) {
        throw new InvariantViolation(
            "(2) replica "
                + node.id
                + " holds a lease for epoch "
                + epoch
                + " after epoch "
                + maxLeaseEpoch);
      }
      maxLeaseEpoch = epoch;
    }
  }

  private boolean livenessDone() {
    if (livenessAckSlot < 0) {
      return false;
    }
    boolean leased = false;
    for (Node node : nodes) {
      if (!node.up() || node.app.appliedIndex() < livenessAckSlot) {
        return false;
      }
      leased |= node.replica.canServeReads(node.localNow(now));
    }
    return leased;
  }
}
