package io.tumbler.bench.etcd;

import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tumbler.bench.LocalCluster;
import io.tumbler.bench.MemberProcesses;
import io.tumbler.bench.etcd.EtcdClusterConfig.Member;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An etcd cluster of separate {@code etcd} processes (the Debian {@code etcd-server} binary on
 * {@code PATH}), one per member of an {@link EtcdClusterConfig}. Each writes its log to {@code
 * etcd-<id>/server.log} and its process id to {@code etcd-<id>/server.pid}, so another process can
 * find and stop it ({@link #attach}). The members outlive the JVM that started them until {@link
 * #close}.
 *
 * <p>Resources are comparable to the ZooKeeper ensemble's and Tumbler's cell: three members on
 * loopback of the same machine, default settings otherwise. Nobody is pinned to CPUs: etcd (Go)
 * schedules onto every core, as the JVMs (default GC) do.
 */
public final class EtcdCluster implements LocalCluster {

  static final String BINARY = "etcd";
  static final String MISSING_BINARY = "etcd not found: apt-get install etcd-server";
  static final long POLL_INTERVAL_MS = 100;
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(1);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A member's {@code /health} answer while it has a leader and no alarm. */
  private static final Pattern HEALTHY = Pattern.compile("\"health\"\\s*:\\s*\"true\"");

  private final EtcdClusterConfig config;
  private final MemberProcesses members;

  private EtcdCluster(EtcdClusterConfig config) {
    this.config = config;
    this.members = new MemberProcesses("etcd member", id -> pidFile(config, id));
  }

  /** The {@code etcd} executable on {@code PATH}, if there is one. */
  public static Optional<Path> findBinary() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, BINARY);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * Starts every member of a new cluster; returns without waiting for a leader (see {@link
   * #awaitQuorum}).
   *
   * @throws IllegalStateException if there is no {@code etcd} on {@code PATH}
   */
  public static EtcdCluster start(EtcdClusterConfig config) throws IOException {
    Path etcd = findBinary().orElseThrow(() -> new IllegalStateException(MISSING_BINARY));
    EtcdCluster cluster = new EtcdCluster(config);
    try {
      for (Member m : config.members()) {
        cluster.members.started(m.id(), launch(etcd, config, m));
      }
    } catch (IOException | RuntimeException e) {
      cluster.close(); // the members already started
      throw e;
    }
    return cluster;
  }

  /**
   * Starts member {@code id} again after it was killed, on its data directory as it is (etcd then
   * ignores the initial-cluster flags); returns without waiting (see {@link #awaitQuorum}).
   */
  @Override
  public void restart(int id) throws IOException {
    checkState(
        members.get(id).filter(ProcessHandle::isAlive).isEmpty(), "etcd member %s still runs", id);
    Path etcd = findBinary().orElseThrow(() -> new IllegalStateException(MISSING_BINARY));
    members.started(id, launch(etcd, config, config.member(id)));
  }

  /** The member that leads now, by its own {@code /v3/maintenance/status}, if one does. */
  @Override
  public Optional<Integer> leader() {
    HttpClient http = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
    for (Member m : config.members()) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(m.clientUrl() + "/v3/maintenance/status"))
                    .timeout(HEALTH_TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode status = JSON.readTree(r.body());
        String self = status.path("header").path("member_id").asText("");
        if (!self.isEmpty() && self.equals(status.path("leader").asText())) {
          return Optional.of(m.id());
        }
      } catch (IOException e) {
        // not answering: not the leader we can use
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static ProcessHandle launch(Path etcd, EtcdClusterConfig config, Member m)
      throws IOException {
    Path dir = config.memberDir(m.id());
    Files.createDirectories(dir);
    List<String> command = new ArrayList<>();
    command.add(etcd.toString());
    command.addAll(config.arguments(m.id()));
    ProcessBuilder member = new ProcessBuilder(command);
    // etcd also reads ETCD_* variables; only the command line may configure our members.
    member.environment().keySet().removeIf(name -> name.startsWith("ETCD_"));
    Process p =
        member
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    return p.toHandle();
  }

  /** The cluster whose members {@link #start} launched, found by their pid files. */
  public static EtcdCluster attach(EtcdClusterConfig config) throws IOException {
    EtcdCluster cluster = new EtcdCluster(config);
    for (Member m : config.members()) {
      // Only a process still running this member: pids are reused.
      String dataDirArg = "--data-dir=" + config.dataDir(m.id());
      cluster
          .members
          .recordedPid(m.id())
          .flatMap(ProcessHandle::of)
          .filter(h -> h.info().arguments().map(a -> List.of(a).contains(dataDirArg)).orElse(false))
          .ifPresent(h -> cluster.members.adopt(m.id(), h));
    }
    return cluster;
  }

  public EtcdClusterConfig config() {
    return config;
  }

  @Override
  public List<String> clientAddresses() {
    return config.clientAddresses();
  }

  /** Members whose process is alive. */
  @Override
  public Map<Integer, ProcessHandle> running() {
    return members.running();
  }

  /**
   * Returns once every member answers {@code /health} with {@code "health":"true"}, which etcd does
   * only while the member knows a leader (and no alarm is raised).
   *
   * @throws IllegalStateException if a member exited, or the cluster was not healthy within {@code
   *     atMost} (the message has each member's last answer)
   */
  @Override
  public void awaitQuorum(Duration atMost) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
    long deadline = System.nanoTime() + atMost.toNanos();
    Map<Integer, String> health = new TreeMap<>();
    while (true) {
      for (Member m : config.members()) {
        checkState(
            members.get(m.id()).filter(ProcessHandle::isAlive).isPresent(),
            "etcd member %s is not running; see %s",
            m.id(),
            config.memberDir(m.id()).resolve("server.log"));
        health.put(m.id(), health(http, m));
      }
      if (health.values().stream().allMatch(a -> HEALTHY.matcher(a).find())) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no healthy etcd cluster within " + atMost + "; members' /health: " + health);
      }
      Thread.sleep(POLL_INTERVAL_MS); // polling interval, not a hoped-for delay
    }
  }

  /** Stops every member (SIGTERM, then SIGKILL after {@link MemberProcesses#STOP_PATIENCE}). */
  @Override
  public void close() {
    members.stopAll();
  }

  /** The member's {@code /health} body, or why there is none. */
  private static String health(HttpClient http, Member m) throws InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(m.clientUrl() + "/health"))
            .timeout(HEALTH_TIMEOUT)
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString()).body().trim();
    } catch (IOException e) {
      return "no answer (" + e + ")";
    }
  }

  private static Path pidFile(EtcdClusterConfig config, int id) {
    return config.memberDir(id).resolve("server.pid");
  }
}
