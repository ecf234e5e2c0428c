package io.tumbler.cell.embedded;

import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.PaxosSettings;
import io.tumbler.cell.config.ReplicaAddresses;
import io.tumbler.cell.master.MasterSettings;
import io.tumbler.cell.replica.ReplicaNode;
import io.tumbler.lockservice.Limits;
import io.tumbler.paxos.durable.LogOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every replica's configuration for one embedded cell: ids 1..n, each on three fresh loopback ports
 * (peer, client, admin) and in its own directory {@code replica-<id>} under the cell's.
 */
final class CellLayout {

  private CellLayout() {}

  /** The configurations of replicas 1..{@code replicas}, in id order, on ports picked now. */
  static List<CellConfig> create(
      int replicas, Path dir, String cell, MasterSettings sessions, PaxosSettings paxos)
      throws IOException {
    List<Integer> ports = FreePorts.loopback(3 * replicas);
    List<ReplicaAddresses> members = new ArrayList<>();
    for (int id = 1; id <= replicas; id++) {
      int first = 3 * (id - 1);
      members.add(
          new ReplicaAddresses(
              id,
              loopback(ports.get(first)),
              loopback(ports.get(first + 1)),
              loopback(ports.get(first + 2))));
    }
    List<CellConfig> configs = new ArrayList<>();
    for (int id = 1; id <= replicas; id++) {
      configs.add(
          new CellConfig(
              cell,
              id,
              dataDir(dir, id).toString(),
              members,
              CellConfig.DEFAULT_ADMIN_PRINCIPALS,
              Limits.DEFAULT_MAX_FRAME_BYTES,
              CellConfig.DEFAULT_MAX_CLIENT_CONNECTIONS,
              ReplicaNode.DEFAULT_SNAPSHOT_EVERY_SLOTS,
              sessions,
              paxos,
              LogOptions.DEFAULTS));
    }
    return List.copyOf(configs);
  }

  static Path dataDir(Path cellDir, int id) {
    return cellDir.resolve("replica-" + id);
  }

  private static String loopback(int port) {
    return "127.0.0.1:" + port;
  }
}
