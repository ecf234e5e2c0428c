package io.tumbler.cell.server;

import io.netty.channel.EventLoopGroup;
import io.tumbler.cell.admin.AdminServer;
import io.tumbler.cell.admin.LiveCellView;
import io.tumbler.cell.admin.PrometheusMetrics;
import io.tumbler.cell.client.ClientDispatcher;
import io.tumbler.cell.client.ClientTransport;
import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.master.MasterService;
import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.cell.peer.NettyTransport;
import io.tumbler.cell.replica.PlantedStorageBugs;
import io.tumbler.cell.replica.ReplicaNode;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica, wired and running: the Paxos node with the lock service's state machine and the
 * master's service on its applier thread, the client transport feeding that thread, and the admin
 * endpoint beside them. {@link TumblerServer} runs one per process.
 */
public final class TumblerReplica implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TumblerReplica.class);

  private final CellConfig config;
  private final PrometheusMetrics metrics;
  private final MasterService master;
  private final ReplicaNode node;
  private final EventLoopGroup clientLoops;
  private final ClientTransport clients;
  private final AdminServer admin;
  private final DataDirectoryLock dataDirectoryLock;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TumblerReplica(
      CellConfig config, DataDirectoryLock dataDirectoryLock, PlantedStorageBugs planted) {
    this.config = config;
    this.dataDirectoryLock = dataDirectoryLock;
    this.metrics = new PrometheusMetrics();
    LockServiceStateMachine stateMachine =
        new LockServiceStateMachine(config.cell(), config.limits(), config.adminPrincipals());
    this.master =
        new MasterService(
            config, config.sessions(), stateMachine, System::currentTimeMillis, metrics);
    this.node =
        new ReplicaNode(
            config.replicaId(),
            config.peerAddresses(),
            Path.of(config.dataDir()),
            config.paxosConfig(),
            config.log(),
            config.snapshotEverySlots(),
            master,
            metrics::storageSynced,
            planted);
    this.clientLoops = NettyTransport.newEventLoopGroup(clientIoThreads());
    ClientDispatcher dispatcher = ClientDispatcher.forMaster(node, master, clientLoops);
    this.clients =
        new ClientTransport(
            CellConfig.socketAddress(config.self().client()),
            new FrameCodec(config.limits()),
            dispatcher,
            clientLoops,
            config.maxClientConnections());
    metrics.watchStatus(node::status, master::status);
    metrics.watchClients(clients, dispatcher);
    this.admin =
        new AdminServer(
            CellConfig.socketAddress(config.self().admin()),
            new LiveCellView(config, node, master),
            metrics);
  }

  /**
   * Network threads for clients. Decoding and encoding frames is light next to the applier's work,
   * so a few threads serve many connections; more would only compete with the applier.
   */
  static int clientIoThreads() {
    return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
  }

  /**
   * Locks the data directory, opens the replica's storage, then starts replicating, serving clients
   * and the admin endpoint. If any of it fails, what had started is closed again.
   */
  public static TumblerReplica start(CellConfig config) throws Exception {
    return start(config, PlantedStorageBugs.NONE);
  }

  /**
   * {@link #start(CellConfig)} with deliberate storage bugs, for the chaos harness's tests only.
   */
  public static TumblerReplica start(CellConfig config, PlantedStorageBugs planted)
      throws Exception {
    DataDirectoryLock lock = DataDirectoryLock.acquire(Path.of(config.dataDir()));
    TumblerReplica replica;
    try {
      replica = new TumblerReplica(config, lock, planted);
    } catch (RuntimeException | Error e) {
      lock.close();
      throw e;
    }
    try {
      replica.node.start();
      replica.clients.start();
      replica.admin.start();
    } catch (Exception | Error e) {
      replica.close();
      throw e;
    }
    log.info(
        "replica {} of cell '{}' is up: clients {}, peers {}, admin http://{}/, data {}",
        config.replicaId(),
        config.cell(),
        config.self().client(),
        config.self().peer(),
        config.self().admin(),
        Path.of(config.dataDir()).toAbsolutePath());
    return replica;
  }

  public CellConfig config() {
    return config;
  }

  public ReplicaNode node() {
    return node;
  }

  /** The lock service's state on this replica: its failover phase if master, sessions, nodes. */
  public ServiceStatus serviceStatus() {
    return master.status();
  }

  public InetSocketAddress clientAddress() {
    return clients.localAddress();
  }

  public InetSocketAddress adminAddress() {
    return admin.localAddress();
  }

  /**
   * Stops in the order that loses nothing: no new clients, then the client connections close (the
   * master hears of each), then the node stops and its storage is flushed and closed, and the admin
   * endpoint goes last so that it answers while the rest shuts down.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    clients.stopAccepting();
    clients.close();
    stopNode();
    clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    admin.close();
    releaseDataDirectory();
  }

  /**
   * Stops as nearly like a crash as a replica inside a live JVM can, so that tests of failover
   * (EmbeddedCell's killMaster) see what a dead process would show them. The node stops first: from
   * then on the replica steps nothing, so it sends, answers and acknowledges nothing more and hands
   * nothing over, not even to its own clients. Only then do its sockets close, which peers and
   * clients see as a lost connection, and the data directory is released so the replica can be
   * started on it again. Unlike {@code kill -9}, storage may still finish a write it had begun;
   * nothing acknowledged depends on that either way.
   */
  public void halt() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    log.warn("replica {} of cell '{}' halts, as if it crashed", config.replicaId(), config.cell());
    stopNode();
    clients.close();
    clientLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    admin.close();
    releaseDataDirectory();
  }

  private void stopNode() {
    try {
      node.close();
    } catch (InterruptedException e) {
      // Keep closing: the admin endpoint and the event loops must not outlive the replica.
      Thread.currentThread().interrupt();
    }
  }

  private void releaseDataDirectory() {
    try {
      dataDirectoryLock.close();
    } catch (IOException e) {
      log.warn("cannot release the lock on {}: {}", config.dataDir(), e.toString());
    }
  }
}
