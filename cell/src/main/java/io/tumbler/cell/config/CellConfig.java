package io.tumbler.cell.config;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.net.HostAndPort;
import io.tumbler.cell.master.MasterSettings;
import io.tumbler.cell.replica.ReplicaNode;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine;
import io.tumbler.paxos.Membership;
import io.tumbler.paxos.PaxosConfig;
import io.tumbler.paxos.durable.LogOptions;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A replica's configuration, as read from its YAML file and validated by {@link CellConfigLoader}.
 * Every field but the first four has a default; docs/operations.md has the reference table and
 * docs/replica.yaml a sample listing every field.
 *
 * <p>{@code cell}, {@code replicas}, {@code adminPrincipals}, {@code maxFrameBytes} and the {@code
 * paxos} section must be the same on every replica: the first three shape the cell's initial
 * replicated state, and the others what replicas accept from each other.
 *
 * @param cell the cell's name: the {@code <cell>} in {@code /ls/<cell>/...}
 * @param replicaId which entry of {@code replicas} this process is
 * @param dataDir where this replica keeps its Paxos log and snapshots
 * @param replicas every member of the cell; an odd number
 * @param adminPrincipals the principals a new cell lists in its {@code acl/admin} file (who may
 *     write the root and the ACL files); {@code "*"} admits everyone
 * @param maxFrameBytes largest client frame, length prefix included (lockservice {@link Limits})
 * @param maxClientConnections client connections this replica keeps open at once; more are closed
 *     as they arrive
 * @param snapshotEverySlots Paxos slots applied between snapshots of the state machine
 * @param sessions how the master treats sessions ({@link MasterSettings})
 * @param paxos the replication protocol's timing and limits
 * @param log the Paxos log's segment and record sizes
 */
public record CellConfig(
    String cell,
    int replicaId,
    String dataDir,
    List<ReplicaAddresses> replicas,
    List<String> adminPrincipals,
    int maxFrameBytes,
    int maxClientConnections,
    long snapshotEverySlots,
    MasterSettings sessions,
    PaxosSettings paxos,
    LogOptions log) {

  /** Who administers a cell when the file names nobody: everyone, fit for development only. */
  public static final List<String> DEFAULT_ADMIN_PRINCIPALS =
      List.of(LockServiceStateMachine.ANY_PRINCIPAL);

  /** Client connections a replica keeps open by default; each costs a file descriptor. */
  public static final int DEFAULT_MAX_CLIENT_CONNECTIONS = 16_384;

  public CellConfig {
    replicas = ImmutableList.copyOf(replicas);
    adminPrincipals = ImmutableList.copyOf(adminPrincipals);
    checkArgument(!adminPrincipals.isEmpty(), "a cell needs at least one admin principal");
  }

  /** The cell and its members, every other setting at its default. */
  public CellConfig(String cell, int replicaId, String dataDir, List<ReplicaAddresses> replicas) {
    this(
        cell,
        replicaId,
        dataDir,
        replicas,
        DEFAULT_ADMIN_PRINCIPALS,
        Limits.DEFAULT_MAX_FRAME_BYTES,
        DEFAULT_MAX_CLIENT_CONNECTIONS,
        ReplicaNode.DEFAULT_SNAPSHOT_EVERY_SLOTS,
        MasterSettings.DEFAULTS,
        PaxosSettings.DEFAULTS,
        LogOptions.DEFAULTS);
  }

  /** This replica's own addresses. */
  public ReplicaAddresses self() {
    return replica(replicaId).orElseThrow();
  }

  public Optional<ReplicaAddresses> replica(int id) {
    return replicas.stream().filter(r -> r.id() == id).findFirst();
  }

  /** Replicas needed for a majority. */
  public int quorumSize() {
    return replicas.size() / 2 + 1;
  }

  /** The lock service's limits: the defaults, with this file's frame size. */
  public Limits limits() {
    return limitsWithFrameBytes(maxFrameBytes);
  }

  static Limits limitsWithFrameBytes(int maxFrameBytes) {
    return Limits.DEFAULTS.withMaxFrameBytes(maxFrameBytes);
  }

  public Membership membership() {
    return Membership.of(replicas.stream().map(ReplicaAddresses::id).toList());
  }

  /** The Paxos core's configuration for this cell's members. */
  public PaxosConfig paxosConfig() {
    return paxos.toPaxosConfig(membership());
  }

  /** Every replica's peer address, by id: what {@link ReplicaNode} connects to. */
  public Map<Integer, InetSocketAddress> peerAddresses() {
    ImmutableMap.Builder<Integer, InetSocketAddress> peers = ImmutableMap.builder();
    for (ReplicaAddresses replica : replicas) {
      peers.put(replica.id(), socketAddress(replica.peer()));
    }
    return peers.build();
  }

  /** {@code host:port} as a socket address, resolving the host now. */
  public static InetSocketAddress socketAddress(String hostAndPort) {
    HostAndPort parsed = HostAndPort.fromString(hostAndPort);
    return new InetSocketAddress(parsed.getHost(), parsed.getPort());
  }
}
