package io.tumbler.bench.zookeeper;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The configuration of a ZooKeeper ensemble on loopback, as files: each member's {@code zoo.cfg}
 * and {@code myid} under {@code <dir>/zk-<id>/}. Durable like a production ensemble: {@code
 * forceSync=yes} (ZooKeeper's default, stated anyway), so a write is fsynced on a quorum before it
 * is acknowledged, as Tumbler's are.
 *
 * @param dir the ensemble's directory; member {@code id} keeps its data in {@code dir/zk-<id>/data}
 * @param members one entry per server, ids 1..n
 */
public record EnsembleConfig(Path dir, List<Member> members) {

  /** The ports the scripts use by default, clear of the Tumbler local cell's (7101–7303). */
  public static final int DEFAULT_BASE_PORT = 7401;

  /**
   * One server: it serves clients on {@code clientPort}, followers reach the leader on {@code
   * quorumPort}, and elections run on {@code electionPort}.
   */
  public record Member(int id, int clientPort, int quorumPort, int electionPort) {
    public Member {
      checkArgument(id >= 1 && id <= 255, "member id must be 1..255, was %s", id);
    }

    public String clientAddress() {
      return "127.0.0.1:" + clientPort;
    }
  }

  public EnsembleConfig {
    dir = dir.toAbsolutePath();
    members = List.copyOf(members);
    checkArgument(members.size() % 2 == 1, "an ensemble has an odd number of members");
  }

  /**
   * {@code size} members on consecutive ports from {@code basePort}: clients on {@code basePort +
   * i}, quorum on {@code basePort + 10 + i}, election on {@code basePort + 20 + i}.
   */
  public static EnsembleConfig onPorts(Path dir, int size, int basePort) {
    checkArgument(size >= 1 && size <= 9, "1 to 9 members, was %s", size);
    return new EnsembleConfig(
        dir,
        IntStream.range(0, size)
            .mapToObj(i -> new Member(i + 1, basePort + i, basePort + 10 + i, basePort + 20 + i))
            .toList());
  }

  public Path memberDir(int id) {
    return dir.resolve("zk-" + id);
  }

  public Path configFile(int id) {
    return memberDir(id).resolve("zoo.cfg");
  }

  public List<String> clientAddresses() {
    return members.stream().map(Member::clientAddress).toList();
  }

  /** The {@code zoo.cfg} of member {@code id}. */
  public String zooCfg(int id) {
    Member self = member(id);
    List<String> lines = new ArrayList<>();
    lines.add("tickTime=2000");
    lines.add("initLimit=10");
    lines.add("syncLimit=5");
    lines.add("dataDir=" + memberDir(id).resolve("data"));
    lines.add("clientPortAddress=127.0.0.1");
    lines.add("clientPort=" + self.clientPort());
    lines.add("forceSync=yes");
    // The load generator opens many sessions from one address; the default caps them at 60.
    lines.add("maxClientCnxns=0");
    // The admin server needs Jetty, which the zookeeper artifact leaves to the user.
    lines.add("admin.enableServer=false");
    lines.add("4lw.commands.whitelist=srvr,ruok,mntr");
    lines.add("autopurge.purgeInterval=1");
    for (Member m : members) {
      lines.add(
          "server."
              + m.id()
              + "=127.0.0.1:"
              + m.quorumPort()
              + ":"
              + m.electionPort()
              + ";"
              + m.clientAddress());
    }
    return String.join("\n", lines) + "\n";
  }

  /** Writes every member's {@code zoo.cfg} and {@code myid}, creating the directories. */
  public void write() throws IOException {
    for (Member m : members) {
      Path data = memberDir(m.id()).resolve("data");
      Files.createDirectories(data);
      Files.writeString(configFile(m.id()), zooCfg(m.id()), StandardCharsets.UTF_8);
      Files.writeString(data.resolve("myid"), m.id() + "\n", StandardCharsets.UTF_8);
    }
  }

  public Member member(int id) {
    return members.stream()
        .filter(m -> m.id() == id)
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no member " + id));
  }
}
