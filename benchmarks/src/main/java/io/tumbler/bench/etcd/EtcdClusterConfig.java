package io.tumbler.bench.etcd;

import static com.google.common.base.Preconditions.checkArgument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The configuration of an etcd cluster on loopback: each member's command line, data directory
 * {@code <dir>/etcd-<id>/data}. Everything not needed to place the members is etcd's default, and
 * etcd's default is durable: a put is in the WAL, fsynced, on a quorum before it is acknowledged,
 * as Tumbler's writes are ({@code --unsafe-no-fsync} is never passed).
 *
 * @param dir the cluster's directory
 * @param members one entry per member, ids 1..n
 */
public record EtcdClusterConfig(Path dir, List<Member> members) {

  /** The ports the scripts use by default, clear of the Tumbler cell's and of scripts/zk's. */
  public static final int DEFAULT_BASE_PORT = 7501;

  /** Peer ports start this far above the client ports. */
  static final int PEER_PORT_OFFSET = 10;

  /** Member {@code id} serves clients on {@code clientPort} and its peers on {@code peerPort}. */
  public record Member(int id, int clientPort, int peerPort) {
    public Member {
      checkArgument(id >= 1 && id <= 9, "member id must be 1..9, was %s", id);
    }

    /** The member's name in the cluster, also its directory's name. */
    public String name() {
      return "etcd-" + id;
    }

    public String clientAddress() {
      return "127.0.0.1:" + clientPort;
    }

    public String clientUrl() {
      return "http://" + clientAddress();
    }

    public String peerUrl() {
      return "http://127.0.0.1:" + peerPort;
    }
  }

  public EtcdClusterConfig {
    dir = dir.toAbsolutePath();
    members = List.copyOf(members);
    checkArgument(members.size() % 2 == 1, "a cluster has an odd number of members");
  }

  /**
   * {@code size} members on consecutive ports from {@code basePort}: clients on {@code basePort +
   * i}, peers on {@code basePort + 10 + i}.
   */
  public static EtcdClusterConfig onPorts(Path dir, int size, int basePort) {
    checkArgument(size >= 1 && size <= 9, "1 to 9 members, was %s", size);
    return new EtcdClusterConfig(
        dir,
        IntStream.range(0, size)
            .mapToObj(i -> new Member(i + 1, basePort + i, basePort + PEER_PORT_OFFSET + i))
            .toList());
  }

  public Path memberDir(int id) {
    return dir.resolve(member(id).name());
  }

  public Path dataDir(int id) {
    return memberDir(id).resolve("data");
  }

  public List<String> clientAddresses() {
    return members.stream().map(Member::clientAddress).toList();
  }

  /** {@code etcd-1=http://127.0.0.1:7511,...}: every member, as each needs to know them. */
  public String initialCluster() {
    return members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
  }

  /**
   * The arguments after the {@code etcd} binary that start member {@code id} of a new cluster. The
   * token is the directory, so two clusters started side by side never take each other's members.
   */
  public List<String> arguments(int id) {
    Member self = member(id);
    List<String> args = new ArrayList<>();
    args.add("--name=" + self.name());
    args.add("--data-dir=" + dataDir(id));
    args.add("--listen-client-urls=" + self.clientUrl());
    args.add("--advertise-client-urls=" + self.clientUrl());
    args.add("--listen-peer-urls=" + self.peerUrl());
    args.add("--initial-advertise-peer-urls=" + self.peerUrl());
    args.add("--initial-cluster=" + initialCluster());
    args.add("--initial-cluster-state=new");
    args.add("--initial-cluster-token=" + dir);
    // etcd 3.4's default logger (capnslog) is deprecated and says so at every start.
    args.add("--logger=zap");
    args.add("--log-outputs=stderr");
    return args;
  }

  public Member member(int id) {
    return members.stream()
        .filter(m -> m.id() == id)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no member " + id));
  }
}
