package io.tumbler.cell.admin;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.tumbler.cell.client.ClientDispatcher;
import io.tumbler.cell.client.ClientTransport;
import io.tumbler.cell.master.ServiceMetrics;
import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.cell.replica.ReplicaStatus;
import io.tumbler.lockservice.protocol.MessageType;
import io.tumbler.paxos.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The replica's metrics in Prometheus form. What the service reports as it works arrives through
 * {@link ServiceMetrics} (on the applier thread); gauges read the published {@link ReplicaStatus}
 * and {@link ServiceStatus} when scraped. docs/operations.md lists every metric.
 */
public final class PrometheusMetrics implements ServiceMetrics {

  /** Request latency buckets, seconds: from a read served from memory to a long blocked write. */
  static final double[] REQUEST_SECONDS_BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    30, 60
  };

  /** Commands per applied slot; the core's default batch holds up to 256. */
  static final double[] BATCH_COMMANDS_BUCKETS = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  private static final double NANOS_PER_SECOND = 1e9;

  private static final Set<MessageType> CLIENT_SENT =
      EnumSet.of(
          MessageType.CREATE_SESSION,
          MessageType.SESSION_REQUEST,
          MessageType.KEEP_ALIVE,
          MessageType.FIND_MASTER);

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private final Histogram requests;
  private final Counter slotsApplied;
  private final Histogram slotCommands;
  private final Counter invalidationsSent;
  private final Counter sessionsExpired;
  private final Histogram storageSyncs;

  public PrometheusMetrics() {
    requests =
        Histogram.builder()
            .name("tumbler_request_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Client requests answered, by message or request type and outcome (ok, error)")
            .labelNames("type", "outcome")
            .classicOnly()
            .classicUpperBounds(REQUEST_SECONDS_BUCKETS)
            .withoutExemplars()
            .register(registry);
    slotsApplied =
        Counter.builder()
            .name("tumbler_paxos_slots_applied")
            .help("Chosen Paxos slots applied to the state machine (no-ops included)")
            .withoutExemplars()
            .register(registry);
    slotCommands =
        Histogram.builder()
            .name("tumbler_paxos_slot_commands")
            .help("Commands per applied slot (the batch size; 0 for a no-op)")
            .classicOnly()
            .classicUpperBounds(BATCH_COMMANDS_BUCKETS)
            .withoutExemplars()
            .register(registry);
    invalidationsSent =
        Counter.builder()
            .name("tumbler_cache_invalidations_sent")
            .help("Cache invalidations sent to sessions before writes")
            .withoutExemplars()
            .register(registry);
    sessionsExpired =
        Counter.builder()
            .name("tumbler_sessions_expired")
            .help("Sessions this replica, as master, expired because their lease ran out")
            .withoutExemplars()
            .register(registry);
    storageSyncs =
        Histogram.builder()
            .name("tumbler_storage_sync_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Group commits of the Paxos log: writing a batch of records and syncing it")
            .classicOnly()
            .classicUpperBounds(REQUEST_SECONDS_BUCKETS)
            .withoutExemplars()
            .register(registry);
  }

  /** One group commit of the Paxos log took {@code nanos}. Any thread. */
  public void storageSynced(long nanos) {
    storageSyncs.observe(nanos / NANOS_PER_SECOND);
  }

  @Override
  public void requestServed(String type, long latencyNanos, boolean ok) {
    requests.labelValues(type, ok ? "ok" : "error").observe(latencyNanos / NANOS_PER_SECOND);
  }

  @Override
  public void slotApplied(int commands) {
    slotsApplied.inc();
    slotCommands.observe(commands);
  }

  @Override
  public void invalidationsSent(int count) {
    invalidationsSent.inc(count);
  }

  @Override
  public void sessionExpired() {
    sessionsExpired.inc();
  }

  /**
   * Exports the replica's and the service's published status as gauges, read at each scrape. Either
   * supplier may return null before its source has started; those gauges are then absent.
   */
  public void watchStatus(Supplier<ReplicaStatus> replica, Supplier<ServiceStatus> service) {
    GaugeWithCallback.builder()
        .name("tumbler_replica_role")
        .help("1 for the role this replica has now (FOLLOWER, CANDIDATE, LEADER), 0 for the others")
        .labelNames("role")
        .callback(
            cb -> {
              ReplicaStatus s = replica.get();
              if (s != null) {
                for (Role role : Role.values()) {
                  cb.call(s.role() == role ? 1 : 0, role.name());
                }
              }
            })
        .register(registry);
    gauge(
        replica,
        "tumbler_replica_epoch",
        "The mastership this replica leads or follows",
        s -> s.epoch());
    gauge(
        replica,
        "tumbler_replica_master_id",
        "The replica this one believes is master (itself if it leads), -1 if none is known",
        s -> s.leaderHint());
    gauge(
        replica,
        "tumbler_replica_lease_held",
        "1 while this replica is master and holds the master lease",
        s -> s.holdsLease() ? 1 : 0);
    gauge(
        replica,
        "tumbler_replica_failed",
        "1 once this replica stopped because its storage or applier failed (see /health)",
        s -> s.failure().isPresent() ? 1 : 0);
    gauge(
        replica,
        "tumbler_paxos_commit_index",
        "Highest Paxos slot known chosen",
        s -> s.commitIndex());
    gauge(
        replica,
        "tumbler_paxos_applied_index",
        "Highest Paxos slot applied to the state machine",
        s -> s.appliedIndex());

    GaugeWithCallback.builder()
        .name("tumbler_master_phase")
        .help("1 for the service's current phase (FOLLOWER, or a master's failover phase)")
        .labelNames("phase")
        .callback(
            cb -> {
              ServiceStatus s = service.get();
              if (s != null) {
                cb.call(1, s.phase());
              }
            })
        .register(registry);
    gauge(service, "tumbler_sessions", "Sessions in the replicated state", s -> s.sessions());
    gauge(service, "tumbler_held_locks", "Locks held by at least one session", s -> s.heldLocks());
    gauge(service, "tumbler_nodes", "Files and directories", s -> s.nodes());
    gauge(
        service,
        "tumbler_connected_clients",
        "Client connections the service knows on this replica",
        s -> s.connectedClients());
    gauge(
        service,
        "tumbler_pending_invalidations",
        "Writes waiting for cache invalidations to be acknowledged",
        s -> s.pendingInvalidations());
    gauge(
        service,
        "tumbler_applied_command_index",
        "Index of the last lock-service command applied",
        s -> s.appliedCommandIndex());
  }

  /** Exports the client transport's own counts: open, refused and shed connections and frames. */
  public void watchClients(ClientTransport transport, ClientDispatcher dispatcher) {
    GaugeWithCallback.builder()
        .name("tumbler_client_connections_open")
        .help("Client TCP connections open on this replica")
        .callback(cb -> cb.call(transport.openConnections()))
        .register(registry);
    CounterWithCallback.builder()
        .name("tumbler_client_connections_refused")
        .help("Client connections closed on arrival because maxClientConnections were open")
        .callback(cb -> cb.call(transport.refusedConnections()))
        .register(registry);
    CounterWithCallback.builder()
        .name("tumbler_client_frames_shed")
        .help("Client frames shed because the replica's inbox was full, by message type")
        .labelNames("type")
        .callback(
            cb -> {
              for (MessageType type : MessageType.values()) {
                long shed = dispatcher.shedFrames(type);
                // Types clients send are always listed; others only if a client sent them.
                if (shed > 0 || CLIENT_SENT.contains(type)) {
                  cb.call(shed, type.name());
                }
              }
            })
        .register(registry);
  }

  /** Writes every metric in the Prometheus text format (version 0.0.4). */
  public void writeTo(OutputStream out) throws IOException {
    writer.write(out, registry.scrape());
  }

  public String contentType() {
    return writer.getContentType();
  }

  private interface Reading<T> {
    double of(T status);
  }

  private <T> void gauge(Supplier<T> source, String name, String help, Reading<T> reading) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(
            cb -> {
              T status = source.get();
              if (status != null) {
                cb.call(reading.of(status));
              }
            })
        .register(registry);
  }
}
