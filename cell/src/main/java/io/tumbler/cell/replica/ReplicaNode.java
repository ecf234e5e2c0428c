package io.tumbler.cell.replica;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableMap;
import io.netty.channel.EventLoopGroup;
import io.tumbler.cell.peer.NettyTransport;
import io.tumbler.cell.peer.PeerCodec;
import io.tumbler.cell.peer.PeerTransport;
import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Event;
import io.tumbler.paxos.Outputs;
import io.tumbler.paxos.PaxosConfig;
import io.tumbler.paxos.Replica;
import io.tumbler.paxos.Role;
import io.tumbler.paxos.SnapshotChunkSend;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.durable.ChronicleStorage;
import io.tumbler.paxos.durable.LogOptions;
import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.storage.PersistentState;
import io.tumbler.paxos.storage.SnapshotFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica of a cell, running: the pure Paxos {@link Replica} stepped by a single applier
 * thread, its storage on a {@link StorageWorker}, and its peers reached through a {@link
 * PeerTransport}. The applier thread is the only one that touches the replica and the application;
 * network and storage threads hand it inputs through its inbox.
 *
 * <p>If storage fails the node stops, as if it had crashed: it acknowledges nothing more and its
 * peers stop hearing from it. The same holds if the applier fails (an invariant of the core or the
 * application broke): stopping beats corrupting state. {@link ReplicaStatus#failure()} says why.
 *
 * <p>The order of {@link Outputs} is kept: persist requests go to storage first, then messages are
 * sent (the core holds back answers that need durability until {@code onPersisted}), then snapshot
 * and chosen entries go to the application.
 *
 * <p>Snapshots never pass through memory whole. The applier thread streams the application's
 * snapshot into a file, reads the chunks the core asks it to send from the stored snapshot, and
 * streams an installed snapshot from its file into the application; a snapshot received from the
 * master reaches its file on the storage thread, chunk by chunk, as persist requests.
 */
public final class ReplicaNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReplicaNode.class);

  /** How often the replica's timers run when nothing else happens. */
  public static final long TICK_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  /** Inputs waiting for the applier; peer messages beyond it are dropped (Paxos resends). */
  public static final int INBOX_CAPACITY = 65_536;

  /**
   * Slots applied between snapshots. A snapshot lets the log behind it be deleted and is what a
   * replica too far behind is sent instead of the entries.
   */
  public static final long DEFAULT_SNAPSHOT_EVERY_SLOTS = 100_000;

  /** Room for one frame: the largest batch plus its framing, with margin for a promise's votes. */
  public static final int PEER_FRAME_OVERHEAD_BYTES = 64 * 1024;

  private sealed interface Input {}

  private record Arrived(Envelope envelope) implements Input {}

  private record Proposed(List<Command> commands) implements Input {}

  private record Persisted(long token) implements Input {}

  private record StorageFailed(Throwable cause) implements Input {}

  private record Task(Runnable work) implements Input {}

  /**
   * Most inputs taken from the inbox before the commands they proposed go to the core: commands of
   * many clients share slots, and one busy moment cannot starve the timers.
   */
  static final int MAX_INPUTS_PER_ROUND = 1024;

  private final int id;
  private final Path dataDirectory;
  private final PaxosConfig config;
  private final ReplicatedApplication application;
  private final LongSupplier nanoClock;
  private final BlockingQueue<Input> inbox = new ArrayBlockingQueue<>(INBOX_CAPACITY);
  private final StorageWorker storage;
  private final EventLoopGroup eventLoops;
  private final PeerTransport transport;
  private final Thread applier;
  private final long snapshotEverySlots;
  private volatile ReplicaStatus status;
  private volatile boolean running;
  private volatile Optional<String> failure = Optional.empty();
  private Replica replica;
  private final List<Command> toPropose = new ArrayList<>();
  private SnapshotFiles snapshots;

  public ReplicaNode(
      int id,
      Map<Integer, InetSocketAddress> peerAddresses,
      Path dataDirectory,
      PaxosConfig config,
      LogOptions logOptions,
      long snapshotEverySlots,
      ReplicatedApplication application) {
    this(
        id,
        peerAddresses,
        dataDirectory,
        config,
        logOptions,
        snapshotEverySlots,
        application,
        syncNanos -> {});
  }

  /**
   * @param onStorageSyncNanos told how long each group commit took to write and sync (on the
   *     storage thread), for metrics
   */
  public ReplicaNode(
      int id,
      Map<Integer, InetSocketAddress> peerAddresses,
      Path dataDirectory,
      PaxosConfig config,
      LogOptions logOptions,
      long snapshotEverySlots,
      ReplicatedApplication application,
      LongConsumer onStorageSyncNanos) {
    this(
        id,
        peerAddresses,
        dataDirectory,
        config,
        logOptions,
        snapshotEverySlots,
        application,
        onStorageSyncNanos,
        PlantedStorageBugs.NONE);
  }

  /**
   * @param onStorageSyncNanos told how long each group commit took to write and sync (on the
   *     storage thread), for metrics
   * @param planted deliberate storage bugs for tests; {@link PlantedStorageBugs#NONE} otherwise
   */
  public ReplicaNode(
      int id,
      Map<Integer, InetSocketAddress> peerAddresses,
      Path dataDirectory,
      PaxosConfig config,
      LogOptions logOptions,
      long snapshotEverySlots,
      ReplicatedApplication application,
      LongConsumer onStorageSyncNanos,
      PlantedStorageBugs planted) {
    checkArgument(
        peerAddresses.keySet().equals(config.membership().replicaIds()),
        "peer addresses %s do not match the membership %s",
        peerAddresses.keySet(),
        config.membership());
    checkArgument(
        snapshotEverySlots >= 1, "snapshotEverySlots must be >= 1, was %s", snapshotEverySlots);
    this.id = id;
    this.dataDirectory = dataDirectory;
    this.config = config;
    this.snapshotEverySlots = snapshotEverySlots;
    this.application = application;
    this.nanoClock = System::nanoTime;
    this.storage =
        new StorageWorker(
            "storage-" + id,
            dataDirectory,
            logOptions,
            token -> enqueue(new Persisted(token), true),
            cause -> enqueue(new StorageFailed(cause), true),
            onStorageSyncNanos,
            planted);
    this.eventLoops = NettyTransport.newEventLoopGroup(1);
    int maxFrameBytes = config.maxBatchBytes() + PEER_FRAME_OVERHEAD_BYTES;
    this.transport =
        new PeerTransport(
            id,
            ImmutableMap.copyOf(peerAddresses),
            new PeerCodec(maxFrameBytes),
            eventLoops,
            envelope -> enqueue(new Arrived(envelope), false));
    this.applier = new Thread(this::runApplier, "applier-" + id);
  }

  /** Opens storage, starts listening and begins stepping the replica. */
  public void start() throws InterruptedException, ExecutionException {
    checkState(replica == null, "already started");
    PersistentState state = storage.start().get();
    try {
      snapshots = ChronicleStorage.snapshotFiles(dataDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // The application restarts from the newest snapshot; the log and the master bring it up to
    // date from there.
    state.snapshot().ifPresent(this::install);
    replica = new Replica(config, id, state, new SplittableRandom(), nanoClock.getAsLong());
    application.attach(new Control());
    publishStatus();
    transport.start();
    running = true;
    applier.start();
    log.info("replica {} started at snapshot {}", id, state.snapshotIndex());
  }

  /**
   * Proposes commands; only the master takes them. They reach the application through {@link
   * ReplicatedApplication#apply} on every replica once chosen, or come back through {@link
   * ReplicatedApplication#refused}. Any thread.
   *
   * @return false if the inbox is full (nothing was queued)
   */
  public boolean propose(List<Command> commands) {
    return enqueue(new Proposed(List.copyOf(commands)), false);
  }

  /**
   * Runs {@code work} on the applier thread, in order with everything else it does. Any thread.
   *
   * @return false if the inbox is full (nothing was queued): the caller should shed the work
   */
  public boolean execute(Runnable work) {
    return enqueue(new Task(work), false);
  }

  public ReplicaStatus status() {
    return status;
  }

  public int id() {
    return id;
  }

  private boolean enqueue(Input input, boolean mustDeliver) {
    if (mustDeliver) {
      // Durability reports are rare and must not be lost: wait for room.
      try {
        inbox.put(input);
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return inbox.offer(input);
  }

  private void runApplier() {
    long nextTickAt = nanoClock.getAsLong();
    try {
      while (running) {
        long now = nanoClock.getAsLong();
        Input input = inbox.poll(Math.max(0, nextTickAt - now), TimeUnit.NANOSECONDS);
        now = nanoClock.getAsLong();
        for (int taken = 0; input != null && running; taken++) {
          carryOut(step(input, now), now);
          input = taken + 1 < MAX_INPUTS_PER_ROUND ? inbox.poll() : null;
        }
        if (now >= nextTickAt) {
          carryOut(replica.onTick(now), now);
          nextTickAt = now + TICK_INTERVAL_NANOS;
        }
        application.onTick(now);
        proposeQueued(now);
        publishStatus();
      }
      if (failure.isPresent()) {
        transport.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      // An invariant of the core or the application broke: stop rather than corrupt state.
      log.error("replica {} stops: its applier failed", id, e);
      failure = Optional.of("applier failed: " + e);
      running = false;
      transport.close();
      publishStatus();
    }
  }

  private Outputs step(Input input, long now) {
    if (input instanceof Arrived arrived) {
      return replica.onMessage(now, arrived.envelope());
    } else if (input instanceof Proposed proposed) {
      return replica.propose(now, proposed.commands());
    } else if (input instanceof Task task) {
      task.work().run();
      return Outputs.EMPTY;
    } else if (input instanceof Persisted persisted) {
      return replica.onPersisted(now, persisted.token());
    } else if (input instanceof StorageFailed failed) {
      // Fail-stop: a replica that cannot persist leaves the cell, as if it had crashed, so that
      // a replica that can persist takes over as master.
      failure = Optional.of("storage failed: " + failed.cause());
      running = false;
      log.error("replica {} stops: its storage failed", id, failed.cause());
      return Outputs.EMPTY;
    }
    throw new AssertionError("unknown input " + input);
  }

  /** Carries out one step's outputs; {@code now} is the time that step was given. */
  private void carryOut(Outputs outputs, long now) {
    outputs.persist().ifPresent(storage::submit);
    for (Envelope envelope : outputs.messages()) {
      transport.send(envelope);
    }
    for (SnapshotChunkSend chunk : outputs.snapshotChunksToSend()) {
      sendSnapshotChunk(chunk, now);
    }
    outputs.snapshotToInstall().ifPresent(this::install);
    for (ChosenEntry entry : outputs.toApply()) {
      application.apply(entry);
    }
    if (!outputs.toApply().isEmpty()
        && replica.appliedIndex() - replica.snapshotIndex() >= snapshotEverySlots) {
      // Taken right after applying, on this thread: the bytes are exactly the applied state. The
      // application streams them straight into the snapshot file, fsync included, here too: the
      // applier stalls for that long, once every snapshotEverySlots slots, rather than copy the
      // state for another thread. The same reading of the clock as the step: the core refuses
      // time that goes backwards.
      SnapshotRef taken;
      try {
        taken = snapshots.write(replica.appliedIndex(), replica.promised(), application::snapshot);
      } catch (IOException e) {
        throw new UncheckedIOException("writing the snapshot failed", e);
      }
      carryOut(replica.onSnapshotTaken(now, taken), now);
    }
    if (!outputs.refused().isEmpty()) {
      application.refused(outputs.refused(), replica.leaderHint());
    }
    for (Event event : outputs.events()) {
      if (event instanceof Event.RoleChanged changed && changed.to() == Role.FOLLOWER) {
        // Why it stepped down is what a failover's diagnosis needs first.
        log.info("replica {}: {} ({})", id, event, replica.lastStepDownReason());
      } else {
        log.info("replica {}: {}", id, event);
      }
      application.onEvent(now, event);
    }
  }

  private void proposeQueued(long now) {
    // Loops because carrying out a proposal's outputs may apply entries that propose more.
    while (!toPropose.isEmpty() && running) {
      List<Command> batch = List.copyOf(toPropose);
      toPropose.clear();
      carryOut(replica.propose(now, batch), now);
    }
  }

  /** The application's view of the replica; used only on the applier thread. */
  private final class Control implements ReplicaControl {
    @Override
    public int replicaId() {
      return id;
    }

    @Override
    public Role role() {
      return replica.role();
    }

    @Override
    public long epoch() {
      return replica.epoch();
    }

    @Override
    public int masterId() {
      return replica.leaderHint();
    }

    @Override
    public boolean holdsLease(long nowNanos) {
      return failure.isEmpty() && replica.holdsLease(nowNanos);
    }

    @Override
    public boolean canServeReads(long nowNanos) {
      return failure.isEmpty() && replica.canServeReads(nowNanos);
    }

    @Override
    public void propose(Command command) {
      toPropose.add(command);
    }
  }

  /**
   * Reads one chunk of a stored snapshot and sends it, on this thread: one chunk ({@link
   * PaxosConfig#snapshotChunkBytes()}) per read, a window of them per request.
   */
  private void sendSnapshotChunk(SnapshotChunkSend chunk, long now) {
    Optional<byte[]> bytes;
    try {
      bytes = snapshots.read(chunk.snapshot(), chunk.offset(), chunk.length());
    } catch (IOException e) {
      log.warn("replica {}: cannot read {} to send", id, chunk.snapshot(), e);
      bytes = Optional.empty();
    }
    if (bytes.isPresent()) {
      transport.send(chunk.envelope(bytes.get()));
    } else {
      carryOut(replica.onSnapshotUnavailable(now, chunk.snapshot().index()), now);
    }
  }

  /** Streams a stored snapshot into the application; a damaged file stops the replica. */
  private void install(SnapshotRef snapshot) {
    try (InputStream body = snapshots.open(snapshot)) {
      application.install(snapshot.index(), body);
      // Read to the end whatever the application left, so the body's checksum is checked.
      body.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException("installing " + snapshot + " failed", e);
    }
    log.info("replica {}: installed {}", id, snapshot);
  }

  private void publishStatus() {
    status =
        new ReplicaStatus(
            replica.role(),
            replica.epoch(),
            replica.leaderHint(),
            replica.commitIndex(),
            replica.appliedIndex(),
            replica.holdsLease(nanoClock.getAsLong()) && failure.isEmpty(),
            failure);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    applier.interrupt();
    if (applier.isAlive()) {
      applier.join();
    }
    transport.close();
    eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    storage.close();
  }
}
