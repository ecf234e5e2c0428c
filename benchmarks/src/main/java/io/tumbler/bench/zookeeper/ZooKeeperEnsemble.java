package io.tumbler.bench.zookeeper;

import static com.google.common.base.Preconditions.checkState;

import io.tumbler.bench.LocalCluster;
import io.tumbler.bench.MemberProcesses;
import io.tumbler.bench.zookeeper.EnsembleConfig.Member;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A ZooKeeper ensemble of separate JVMs ({@code QuorumPeerMain}, as ZooKeeper ships it), one per
 * member of an {@link EnsembleConfig}. Each writes its output to {@code zk-<id>/server.log} and its
 * process id to {@code zk-<id>/server.pid}, so another process can find and stop it ({@link
 * #attach}). The servers outlive the JVM that started them until {@link #close}.
 */
public final class ZooKeeperEnsemble implements LocalCluster {

  static final String MAIN_CLASS = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
  static final long POLL_INTERVAL_MS = 100;
  static final int STATUS_TIMEOUT_MS = 1_000;

  private final EnsembleConfig config;
  private final MemberProcesses servers;

  /** How {@link #restart} launches a server; null for an {@link #attach}ed ensemble. */
  private final String classpath;

  private final String maxHeap;

  private ZooKeeperEnsemble(EnsembleConfig config, String classpath, String maxHeap) {
    this.config = config;
    this.servers = new MemberProcesses("ZooKeeper server", id -> pidFile(config, id));
    this.classpath = classpath;
    this.maxHeap = maxHeap;
  }

  /**
   * Writes the configuration and starts every member with {@code classpath} (which must hold the
   * zookeeper jar and its dependencies); returns without waiting for a quorum (see {@link
   * #awaitQuorum}).
   */
  public static ZooKeeperEnsemble start(EnsembleConfig config, String classpath, String maxHeap)
      throws IOException {
    config.write();
    ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(config, classpath, maxHeap);
    try {
      for (Member m : config.members()) {
        ensemble.servers.started(m.id(), launch(config, m, classpath, maxHeap));
      }
    } catch (IOException | RuntimeException e) {
      ensemble.close(); // the members already started
      throw e;
    }
    return ensemble;
  }

  /**
   * Starts member {@code id} again, after it was killed, with its configuration and data as they
   * are; returns without waiting for it to rejoin (see {@link #awaitQuorum}).
   */
  @Override
  public void restart(int id) throws IOException {
    checkState(classpath != null, "an attached ensemble cannot restart its servers");
    checkState(
        servers.get(id).filter(ProcessHandle::isAlive).isEmpty(),
        "ZooKeeper server %s still runs",
        id);
    servers.started(id, launch(config, config.member(id), classpath, maxHeap));
  }

  private static ProcessHandle launch(
      EnsembleConfig config, Member m, String classpath, String maxHeap) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path dir = config.memberDir(m.id());
    ProcessBuilder server =
        new ProcessBuilder(
            java, "-Xmx" + maxHeap, MAIN_CLASS, config.configFile(m.id()).toString());
    // The class path goes in the environment: a command line that short stays readable in
    // /proc, which attach() relies on to tell our server from a process that reused its pid.
    server.environment().put("CLASSPATH", classpath);
    Process p =
        server
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    return p.toHandle();
  }

  /** The member that reports itself leader ({@code srvr}), if one does now. */
  @Override
  public Optional<Integer> leader() {
    return config.members().stream()
        .filter(m -> mode(m).filter("leader"::equals).isPresent())
        .map(Member::id)
        .findFirst();
  }

  /** The ensemble whose members {@link #start} launched, found by their pid files. */
  public static ZooKeeperEnsemble attach(EnsembleConfig config) throws IOException {
    ZooKeeperEnsemble ensemble = new ZooKeeperEnsemble(config, null, null);
    for (Member m : config.members()) {
      Optional<Long> pid = ensemble.servers.recordedPid(m.id());
      // Only a process still running this member's configuration: pids are reused.
      pid.flatMap(ProcessHandle::of)
          .filter(h -> runs(h, config.configFile(m.id())))
          .ifPresent(h -> ensemble.servers.adopt(m.id(), h));
    }
    return ensemble;
  }

  public EnsembleConfig config() {
    return config;
  }

  @Override
  public List<String> clientAddresses() {
    return config.clientAddresses();
  }

  /** Members whose server process is alive. */
  @Override
  public Map<Integer, ProcessHandle> running() {
    return servers.running();
  }

  /**
   * Returns once every member reports itself leader or follower ({@code srvr}) and exactly one
   * leads.
   *
   * @throws IllegalStateException if a server exited, or the quorum did not form in {@code atMost}
   *     (the message has each member's last status)
   */
  @Override
  public void awaitQuorum(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    Map<Integer, String> modes = new TreeMap<>();
    while (true) {
      for (Member m : config.members()) {
        checkState(
            servers.get(m.id()).filter(ProcessHandle::isAlive).isPresent(),
            "ZooKeeper server %s is not running; see %s",
            m.id(),
            config.memberDir(m.id()).resolve("server.log"));
        modes.put(m.id(), mode(m).orElse("no answer"));
      }
      long leaders = modes.values().stream().filter("leader"::equals).count();
      long followers = modes.values().stream().filter("follower"::equals).count();
      if (leaders == 1 && leaders + followers == config.members().size()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no ZooKeeper quorum within " + atMost + "; member modes: " + modes);
      }
      Thread.sleep(POLL_INTERVAL_MS); // polling interval, not a hoped-for delay
    }
  }

  /** Stops every member (SIGTERM, then SIGKILL after {@link MemberProcesses#STOP_PATIENCE}). */
  @Override
  public void close() {
    servers.stopAll();
  }

  /** The member's {@code Mode:} line from the {@code srvr} four-letter command, if it answered. */
  static Optional<String> mode(Member m) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", m.clientPort()), STATUS_TIMEOUT_MS);
      s.setSoTimeout(STATUS_TIMEOUT_MS);
      OutputStream out = s.getOutputStream();
      out.write("srvr".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String reply = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return reply
          .lines()
          .filter(l -> l.startsWith("Mode: "))
          .map(l -> l.substring("Mode: ".length()).trim())
          .findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Path pidFile(EnsembleConfig config, int id) {
    return config.memberDir(id).resolve("server.pid");
  }

  private static boolean runs(ProcessHandle h, Path configFile) {
    return h.info()
        .arguments()
        .map(args -> args.length > 0 && args[args.length - 1].equals(configFile.toString()))
        .orElse(false);
  }
}
