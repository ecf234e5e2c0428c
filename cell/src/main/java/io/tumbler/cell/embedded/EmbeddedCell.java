package io.tumbler.cell.embedded;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.PaxosSettings;
import io.tumbler.cell.master.MasterSettings;
import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.cell.replica.ReplicaStatus;
import io.tumbler.cell.server.TumblerReplica;
import io.tumbler.lockservice.InvalidNameException;
import io.tumbler.lockservice.NodePath;
import io.tumbler.paxos.Membership;
import io.tumbler.paxos.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Tumbler cell of one or three replicas running inside this JVM, for the tests of
 * applications that use Tumbler.
 *
 * <p>Why a real cell rather than a fake: what an application must get right against a lock service
 * is what a fake leaves out — redirects to the master, a failover with its new epoch, sessions
 * carried across it, writes that survive a crash. Here each replica is the server users run ({@link
 * TumblerReplica}): Multi-Paxos over loopback TCP, a Chronicle Queue log fsynced in its own data
 * directory, the master's sessions and caching. Only the process boundary is missing, so a test
 * starts in a second or two instead of launching JVMs.
 *
 * <pre>{@code
 * try (EmbeddedCell cell = EmbeddedCell.start(3, tempDir)) {
 *   // connect the application to cell.connectString(), e.g. "127.0.0.1:4101,127.0.0.1:4104,..."
 *   int old = cell.killMaster();          // as if its process died
 *   int successor = cell.awaitMaster(Duration.ofSeconds(60));
 *   cell.restart(old);                    // same ports, same data: it catches up and rejoins
 * }
 * }</pre>
 *
 * <p><b>JVM flags.</b> The replicas' logs use Chronicle Queue, which needs JDK internals opened on
 * Java 17 and later; the JVM that runs the tests must be started with the flags in
 * docs/client-guide.md ("EmbeddedCell"), e.g. in surefire's {@code argLine}. {@link #start} checks
 * and names any that are missing.
 *
 * <p><b>Timing.</b> Defaults are shorter than a server's so that failover tests are quick, and long
 * enough that a loaded two-core CI machine does not make the master lose its lease by accident:
 * master lease {@link #DEFAULT_MASTER_LEASE} (a dead master is replaced a little after it runs
 * out), session lease {@link #DEFAULT_SESSION_LEASE} (how long a new master waits for a silent
 * client's session before serving, and how long an abandoned session keeps its locks). {@link
 * Builder} changes them.
 *
 * <p><b>Failures.</b> Methods throw only unchecked exceptions, so tests need not declare any:
 * {@link UncheckedIOException} when a replica cannot open its data or its ports, {@link
 * IllegalStateException} when no master comes in time (with every replica's state) or the wait was
 * interrupted (the thread's interrupt flag is set again).
 *
 * <p><b>Threads.</b> Every method may be called from any thread (Awaitility polls from its own);
 * starting and stopping replicas happen one at a time under the cell's lock.
 */
public final class EmbeddedCell implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedCell.class);

  /** The cell's name unless the builder says otherwise: nodes are {@code /ls/local/...}. */
  public static final String DEFAULT_CELL_NAME = "local";

  /**
   * The master lease: about how long a cell is without a master after its master dies. A server's
   * default is 4 s; the heartbeats that renew it (six per lease) still tolerate a stall of over a
   * second on a busy machine.
   */
  public static final Duration DEFAULT_MASTER_LEASE = Duration.ofMillis(1_500);

  /**
   * The session lease (a server's default is 12 s). After a failover the new master waits until
   * every session has acknowledged it or expired, so a session its test abandoned without ending it
   * delays the next failover by up to this much.
   */
  public static final Duration DEFAULT_SESSION_LEASE = Duration.ofSeconds(5);

  /**
   * How long {@link Builder#start} and {@link #killMaster} wait for a master. Generous: electing
   * one takes a few seconds, but a loaded CI machine can make it take many more.
   */
  public static final Duration DEFAULT_MASTER_DEADLINE = Duration.ofSeconds(60);

  /** What {@link #masterId()} returns while no replica serves as master. */
  public static final int NO_MASTER = -1;

  /** Shortest master lease accepted: below it, a GC pause or a busy machine costs the lease. */
  public static final Duration MIN_MASTER_LEASE = Duration.ofMillis(300);

  /** Fresh sets of ports tried when one was taken between being picked and being bound. */
  static final int START_ATTEMPTS = 5;

  /**
   * How long {@link #restart(int)} keeps trying ports that something else holds for now (a replica
   * must come back on its own ports: the others know it by them).
   */
  static final long RESTART_BIND_PATIENCE_MS = 10_000;

  static final long POLL_INTERVAL_MS = 50;

  private final List<CellConfig> configs;
  private final Duration masterDeadline;

  /** The replicas running now, by id; those absent are stopped. Guarded by {@code this}. */
  private final Map<Integer, TumblerReplica> running = new TreeMap<>();

  private boolean closed;

  private EmbeddedCell(List<CellConfig> configs, Duration masterDeadline) {
    this.configs = configs;
    this.masterDeadline = masterDeadline;
  }

  /**
   * Starts a cell with every setting at its default and returns once it has a master serving
   * clients.
   *
   * @param replicas 1 or 3. One replica is its own majority: the cell is unavailable whenever it is
   *     stopped. Three survive the loss of any one
   * @param dir each replica keeps its data in {@code dir/replica-<id>}; normally a fresh temporary
   *     directory
   * @throws IllegalArgumentException if {@code replicas} is not 1 or 3
   * @throws IllegalStateException if the JVM lacks Chronicle Queue's flags, or no master was
   *     elected within {@link #DEFAULT_MASTER_DEADLINE} (the message has every replica's state)
   * @throws UncheckedIOException if a replica could not open its data directory or its ports
   */
  public static EmbeddedCell start(int replicas, Path dir) {
    return builder(replicas, dir).start();
  }

  /** A cell to configure before {@link Builder#start}; see {@link #start(int, Path)}. */
  public static Builder builder(int replicas, Path dir) {
    return new Builder(replicas, dir);
  }

  /** The cell's name: the {@code <cell>} in {@code /ls/<cell>/...}. */
  public String cellName() {
    return configs.get(0).cell();
  }

  /** Every replica's client address ({@code 127.0.0.1:port}) in id order, stopped ones included. */
  public List<String> clientAddresses() {
    return configs.stream().map(c -> c.self().client()).toList();
  }

  /** {@link #clientAddresses()} joined with commas: what a client is given to find the cell. */
  public String connectString() {
    return String.join(",", clientAddresses());
  }

  /**
   * The replica serving as master now: it leads, holds the master lease and has finished its
   * failover steps. {@link #NO_MASTER} (-1) during an election or a failover, when too few replicas
   * run, or once the cell is closed.
   */
  public synchronized int masterId() {
    int master = NO_MASTER;
    long masterEpoch = -1;
    for (Map.Entry<Integer, TumblerReplica> replica : running.entrySet()) {
      ReplicaStatus status = replica.getValue().node().status();
      boolean serving =
          status.role() == Role.LEADER
              && status.holdsLease()
              && status.failure().isEmpty()
              && replica.getValue().serviceStatus().serving();
      // Statuses are published copies: an old master's may lag its loss of the lease by a step.
      if (serving && status.epoch() > masterEpoch) {
        master = replica.getKey();
        masterEpoch = status.epoch();
      }
    }
    return master;
  }

  /**
   * Waits for a master serving clients.
   *
   * @return its replica id
   * @throws IllegalStateException if none within {@code atMost}, with every replica's state, if the
   *     cell is closed, or if the thread was interrupted
   */
  public int awaitMaster(Duration atMost) {
    checkArgument(!atMost.isNegative(), "atMost must not be negative, was %s", atMost);
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      synchronized (this) {
        checkState(!closed, "the embedded cell is closed");
        int master = masterId();
        if (master != NO_MASTER) {
          return master;
        }
        if (System.nanoTime() - deadline >= 0) {
          throw new IllegalStateException(
              "the embedded cell '"
                  + cellName()
                  + "' has no master serving after "
                  + atMost.toMillis()
                  + " ms: "
                  + describe());
        }
      }
      pause("waiting for a master");
    }
  }

  /**
   * Stops the master abruptly, as if its process had died ({@link TumblerReplica#halt}): no step
   * down, no hand-over, its connections simply drop. Waits for a master first (up to the builder's
   * master deadline). With three replicas the other two elect a successor once the old master lease
   * has run out; with one, the cell is unavailable until {@link #restart(int)}.
   *
   * @return the stopped replica's id, for {@link #restart(int)}
   */
  public int killMaster() {
    while (true) {
      int master = awaitMaster(masterDeadline);
      synchronized (this) {
        // Still master? It may have lost the lease between the wait and the lock.
        if (masterId() == master) {
          running.remove(master).halt();
          log.info("embedded cell '{}': killed master replica {}", cellName(), master);
          return master;
        }
      }
    }
  }

  /**
   * Starts a stopped replica again on its own ports and data directory. It returns once the replica
   * runs, not once it has caught up; {@link #awaitMaster} waits for the cell.
   *
   * @throws IllegalArgumentException if there is no replica {@code id}
   * @throws IllegalStateException if it is running, or the cell is closed
   * @throws UncheckedIOException if its data could not be opened, or its ports stayed taken for 10
   *     s
   */
  public synchronized void restart(int id) {
    checkState(!closed, "the embedded cell is closed");
    checkArgument(
        id >= 1 && id <= configs.size(),
        "no replica %s: the embedded cell's replicas are 1..%s",
        id,
        configs.size());
    checkState(!running.containsKey(id), "replica %s is running", id);
    CellConfig config = configs.get(id - 1);
    long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RESTART_BIND_PATIENCE_MS);
    while (true) {
      try {
        running.put(id, startReplica(config));
        log.info("embedded cell '{}': restarted replica {}", cellName(), id);
        return;
      } catch (IOException e) {
        if (!FreePorts.addressInUse(e)) {
          throw new UncheckedIOException(e);
        }
        if (System.nanoTime() - giveUpAt >= 0) {
          throw new UncheckedIOException(
              "replica "
                  + id
                  + " cannot listen on its ports again (peer "
                  + config.self().peer()
                  + ", client "
                  + config.self().client()
                  + ", admin "
                  + config.self().admin()
                  + "): another socket has held one for "
                  + RESTART_BIND_PATIENCE_MS
                  + " ms",
              e);
        }
      }
      // Most often a connection's local port that is about to go away.
      pause("restarting replica " + id);
    }
  }

  /** Starts every stopped replica again, as {@link #restart(int)} does; none stopped, nothing. */
  public synchronized void restart() {
    for (int id = 1; id <= configs.size(); id++) {
      if (!running.containsKey(id)) {
        restart(id);
      }
    }
  }

  /**
   * Stops every running replica in order (unlike {@link #killMaster}); a second call does nothing.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (TumblerReplica replica : running.values()) {
      replica.close();
    }
    running.clear();
    log.info("embedded cell '{}' closed", cellName());
  }

  /** Each replica's state, for a failure message. */
  private synchronized String describe() {
    StringBuilder out = new StringBuilder();
    for (int id = 1; id <= configs.size(); id++) {
      out.append("\n  replica ").append(id).append(": ");
      TumblerReplica replica = running.get(id);
      if (replica == null) {
        out.append("stopped");
        continue;
      }
      ReplicaStatus status = replica.node().status();
      ServiceStatus service = replica.serviceStatus();
      out.append(status.role())
          .append(", epoch ")
          .append(status.epoch())
          .append(", master ")
          .append(status.leaderHint() < 0 ? "unknown" : status.leaderHint())
          .append(status.holdsLease() ? ", holds the master lease" : "")
          .append(", applied slot ")
          .append(status.appliedIndex())
          .append(", phase ")
          .append(service.phase());
      status.failure().ifPresent(f -> out.append(", FAILED: ").append(f));
    }
    return out.toString();
  }

  /** Starts every replica; the first time only, so all are stopped. */
  private synchronized void startAll() throws IOException {
    for (CellConfig config : configs) {
      running.put(config.replicaId(), startReplica(config));
    }
  }

  /** Starts one replica; an address in use stays visible in the IOException's causes. */
  private static TumblerReplica startReplica(CellConfig config) throws IOException {
    try {
      return TumblerReplica.start(config);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      throw interrupted("starting replica " + config.replicaId(), e);
    } catch (Exception e) {
      throw new IOException(
          "replica " + config.replicaId() + " of the embedded cell could not start: " + e, e);
    }
  }

  /**
   * Picks ports and starts every replica, on fresh ports again if one was taken meanwhile, then
   * waits for a master. On any failure, what had started is stopped.
   */
  private static EmbeddedCell launch(
      int replicas,
      Path dir,
      String cell,
      MasterSettings sessions,
      PaxosSettings paxos,
      Duration masterDeadline) {
    ChronicleFlags.require();
    for (int attempt = 1; ; attempt++) {
      EmbeddedCell embedded;
      try {
        embedded =
            new EmbeddedCell(
                CellLayout.create(replicas, dir, cell, sessions, paxos), masterDeadline);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot pick free loopback ports", e);
      }
      try {
        embedded.startAll();
      } catch (IOException e) {
        embedded.close();
        if (FreePorts.addressInUse(e) && attempt < START_ATTEMPTS) {
          log.info("embedded cell '{}': a port was taken meanwhile; trying fresh ports", cell);
          continue;
        }
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        embedded.close();
        throw e;
      }
      try {
        int master = embedded.awaitMaster(masterDeadline);
        log.info(
            "embedded cell '{}' is up: {} replica(s) at {}, master {}, data under {}",
            cell,
            replicas,
            embedded.connectString(),
            master,
            dir.toAbsolutePath());
        return embedded;
      } catch (RuntimeException e) {
        embedded.close();
        throw e;
      }
    }
  }

  /** Waits a poll interval; an interrupt ends the wait and the call that waited. */
  private static void pause(String what) {
    try {
      Thread.sleep(POLL_INTERVAL_MS);
    } catch (InterruptedException e) {
      throw interrupted(what, e);
    }
  }

  /** Keeps the interrupt for the caller's caller and fails the call that was waiting. */
  private static IllegalStateException interrupted(String what, InterruptedException e) {
    Thread.currentThread().interrupt();
    return new IllegalStateException("interrupted while " + what, e);
  }

  /**
   * The settings that matter to tests; every other setting is a server's default. Each setter
   * checks its value at once.
   */
  public static final class Builder {
    private final int replicas;
    private final Path dir;
    private String cellName = DEFAULT_CELL_NAME;
    private Duration masterLease = DEFAULT_MASTER_LEASE;
    private Duration sessionLease = DEFAULT_SESSION_LEASE;
    private Duration masterDeadline = DEFAULT_MASTER_DEADLINE;

    private Builder(int replicas, Path dir) {
      checkArgument(
          replicas == 1 || replicas == 3,
          "an embedded cell has 1 or 3 replicas (one is its own majority; three survive the loss"
              + " of one), not %s",
          replicas);
      this.replicas = replicas;
      this.dir = checkNotNull(dir, "dir");
    }

    /**
     * The {@code <cell>} in {@code /ls/<cell>/...}; {@value EmbeddedCell#DEFAULT_CELL_NAME} by
     * default.
     */
    public Builder cellName(String name) {
      checkNotNull(name, "name");
      checkArgument(
          !name.isEmpty() && !name.contains("/"),
          "a cell name is one name component without '/', was '%s'",
          name);
      try {
        NodePath.parse("/ls/" + name);
      } catch (InvalidNameException e) {
        throw new IllegalArgumentException(
            "not a valid cell name '" + name + "': " + e.getMessage(), e);
      }
      this.cellName = name;
      return this;
    }

    /**
     * The master lease: a dead master is replaced a little after it runs out. Heartbeats and
     * election timeouts scale with it (six heartbeats per lease, an election after two thirds of
     * one without hearing the master). At least {@link EmbeddedCell#MIN_MASTER_LEASE}.
     */
    public Builder masterLease(Duration lease) {
      checkNotNull(lease, "lease");
      checkArgument(
          lease.compareTo(MIN_MASTER_LEASE) >= 0,
          "masterLease must be at least %s ms (below it a pause of the JVM costs the master its"
              + " lease), was %s ms",
          MIN_MASTER_LEASE.toMillis(),
          lease.toMillis());
      // The core checks how the derived timings relate; fail here rather than at start.
      paxosSettings(lease).toPaxosConfig(Membership.ofSize(replicas));
      this.masterLease = lease;
      return this;
    }

    /**
     * The session lease the master grants, between 1 s and {@link
     * MasterSettings#MAX_SESSION_LEASE_MS} ms. Shorter makes tests of session expiry quicker; the
     * master answers each KeepAlive when a third of it is left.
     */
    public Builder sessionLease(Duration lease) {
      checkNotNull(lease, "lease");
      checkArgument(
          lease.toMillis() >= 1_000 && lease.toMillis() <= MasterSettings.MAX_SESSION_LEASE_MS,
          "sessionLease must be between 1000 and %s ms, was %s ms",
          MasterSettings.MAX_SESSION_LEASE_MS,
          lease.toMillis());
      this.sessionLease = lease;
      return this;
    }

    /**
     * How long {@link #start()} and {@link EmbeddedCell#killMaster} wait for a master before
     * failing; {@link EmbeddedCell#DEFAULT_MASTER_DEADLINE} by default.
     */
    public Builder masterDeadline(Duration deadline) {
      checkNotNull(deadline, "deadline");
      checkArgument(deadline.toMillis() > 0, "masterDeadline must be positive, was %s", deadline);
      this.masterDeadline = deadline;
      return this;
    }

    /**
     * Starts every replica on fresh loopback ports and returns once a master serves clients; see
     * {@link EmbeddedCell#start(int, Path)} for what it throws.
     */
    public EmbeddedCell start() {
      return launch(
          replicas,
          dir,
          cellName,
          sessionSettings(sessionLease),
          paxosSettings(masterLease),
          masterDeadline);
    }

    static PaxosSettings paxosSettings(Duration masterLease) {
      long leaseMs = masterLease.toMillis();
      PaxosSettings d = PaxosSettings.DEFAULTS;
      return new PaxosSettings(
          leaseMs,
          d.clockDriftPpm(),
          leaseMs / 6,
          leaseMs * 2 / 3,
          leaseMs / 3,
          d.resendIntervalMs(),
          d.catchUpRetryMs(),
          d.maxSlotsInFlight(),
          d.maxBatchCommands(),
          d.maxBatchBytes(),
          d.maxCommandBytes(),
          d.maxPendingCommands(),
          d.catchUpChunkEntries(),
          d.snapshotChunkBytes(),
          d.snapshotChunksPerRequest(),
          d.logRetentionSlots());
    }

    static MasterSettings sessionSettings(Duration sessionLease) {
      long leaseMs = sessionLease.toMillis();
      MasterSettings d = MasterSettings.DEFAULTS;
      return new MasterSettings(
          leaseMs,
          leaseMs / 3,
          d.maxSessionsPerClientHost(),
          d.maxTrackedCacheEntriesPerSession(),
          d.maxPendingEventsPerSession(),
          d.maxQueuedRequestsPerSession());
    }
  }
}
