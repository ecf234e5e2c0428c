package io.tumbler.client.transport;

import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.PaxosSettings;
import io.tumbler.cell.config.ReplicaAddresses;
import io.tumbler.cell.master.MasterSettings;
import io.tumbler.cell.server.TumblerReplica;
import io.tumbler.paxos.Role;
import io.tumbler.paxos.durable.LogOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A cell of real replicas in this JVM, on loopback ports chosen at random: real Paxos, real
 * storage, real client transport. Replicas can be stopped and restarted on the same data.
 */
final class InProcessCell implements AutoCloseable {

  private final List<CellConfig> configs = new ArrayList<>();
  private final TumblerReplica[] running;

  InProcessCell(Path dir, int replicas, MasterSettings sessions, long snapshotEverySlots)
      throws Exception {
    List<ReplicaAddresses> addresses = new ArrayList<>();
    for (int id = 1; id <= replicas; id++) {
      addresses.add(
          new ReplicaAddresses(
              id, loopback(freePort()), loopback(freePort()), loopback(freePort())));
    }
    for (int id = 1; id <= replicas; id++) {
      configs.add(
          new CellConfig(
              "local",
              id,
              dir.resolve("replica-" + id).toString(),
              addresses,
              CellConfig.DEFAULT_ADMIN_PRINCIPALS,
              io.tumbler.lockservice.Limits.DEFAULT_MAX_FRAME_BYTES,
              CellConfig.DEFAULT_MAX_CLIENT_CONNECTIONS,
              snapshotEverySlots,
              sessions,
              PaxosSettings.DEFAULTS,
              LogOptions.DEFAULTS));
    }
    running = new TumblerReplica[replicas + 1];
    for (int id = 1; id <= replicas; id++) {
      start(id);
    }
  }

  void start(int id) throws Exception {
    running[id] = TumblerReplica.start(configs.get(id - 1));
  }

  void stop(int id) {
    TumblerReplica r = running[id];
    running[id] = null;
    if (r != null) {
      r.close();
    }
  }

  List<String> clientAddresses() {
    return configs.get(0).replicas().stream().map(ReplicaAddresses::client).toList();
  }

  /** The running replica that leads and can serve, if any. */
  Optional<Integer> master() {
    for (int id = 1; id < running.length; id++) {
      TumblerReplica r = running[id];
      if (r != null && r.node().status().role() == Role.LEADER && r.node().status().holdsLease()) {
        return Optional.of(id);
      }
    }
    return Optional.empty();
  }

  TumblerReplica replica(int id) {
    return running[id];
  }

  private static String loopback(int port) {
    return "127.0.0.1:" + port;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    for (int id = 1; id < running.length; id++) {
      stop(id);
    }
  }
}
