package io.tumbler.bench.etcd;

import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tumbler.bench.etcd.EtcdClusterConfig.Member;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
public final class EtcdCluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EtcdCluster.class);

  static final String BINARY = "etcd";
  static final String MISSING_BINARY = "etcd not found: apt-get install etcd-server";
  static final Duration STOP_PATIENCE = Duration.ofSeconds(10);
  static final long POLL_INTERVAL_MS = 100;
  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(1);

  /** A member's {@code /health} answer while it has a leader and no alarm. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Pattern HEALTHY = Pattern.compile("\"health\"\\s*:\\s*\"true\"");

  private final EtcdClusterConfig config;
  private final Map<Integer, ProcessHandle> members;

  private EtcdCluster(EtcdClusterConfig config, Map<Integer, ProcessHandle> members) {
    this.config = config;
    this.members = members;
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
    Map<Integer, ProcessHandle> started = new TreeMap<>();
    EtcdCluster cluster = new EtcdCluster(config, started);
    try {
      for (Member m : config.members()) {
        started.put(m.id(), launch(etcd, config, m));
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
  public void restart(int id) throws IOException {
    ProcessHandle old = members.get(id);
    checkState(old == null || !old.isAlive(), "etcd member %s still runs", id);
    Path etcd = findBinary().orElseThrow(() -> new IllegalStateException(MISSING_BINARY));
    members.put(id, launch(etcd, config, config.member(id)));
  }

  /** The member that leads now, by its own {@code /v3/maintenance/status}, if one does. */
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
    Files.writeString(pidFile(config, m.id()), p.pid() + "\n", StandardCharsets.UTF_8);
    return p.toHandle();
  }

  /** The cluster whose members {@link #start} launched, found by their pid files. */
  public static EtcdCluster attach(EtcdClusterConfig config) throws IOException {
    Map<Integer, ProcessHandle> found = new TreeMap<>();
    for (Member m : config.members()) {
      Path pidFile = pidFile(config, m.id());
      if (!Files.exists(pidFile)) {
        continue;
      }
      long pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).trim());
      // Only a process still running this member: pids are reused.
      String dataDirArg = "--data-dir=" + config.dataDir(m.id());
      ProcessHandle.of(pid)
          .filter(h -> h.info().arguments().map(a -> List.of(a).contains(dataDirArg)).orElse(false))
          .ifPresent(h -> found.put(m.id(), h));
    }
    return new EtcdCluster(config, found);
  }

  public EtcdClusterConfig config() {
    return config;
  }

  /** Members whose process is alive. */
  public Map<Integer, ProcessHandle> running() {
    Map<Integer, ProcessHandle> alive = new TreeMap<>();
    members.forEach(
        (id, h) -> {
          if (h.isAlive()) {
            alive.put(id, h);
          }
        });
    return alive;
  }

  /**
   * Returns once every member answers {@code /health} with {@code "health":"true"}, which etcd does
   * only while the member knows a leader (and no alarm is raised).
   *
   * @throws IllegalStateException if a member exited, or the cluster was not healthy within {@code
   *     atMost} (the message has each member's last answer)
   */
  public void awaitQuorum(Duration atMost) throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
    long deadline = System.nanoTime() + atMost.toNanos();
    Map<Integer, String> health = new TreeMap<>();
    while (true) {
      for (Member m : config.members()) {
        ProcessHandle h = members.get(m.id());
        checkState(
            h != null && h.isAlive(),
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

  /** Stops every member (SIGTERM, then SIGKILL after {@link #STOP_PATIENCE}). */
  @Override
  public void close() {
    for (ProcessHandle h : members.values()) {
      h.destroy();
    }
    for (Map.Entry<Integer, ProcessHandle> e : members.entrySet()) {
      ProcessHandle h = e.getValue();
      try {
        h.onExit().get(STOP_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException ex) {
        log.warn("etcd member {} did not stop within {}; killing it", e.getKey(), STOP_PATIENCE);
        h.destroyForcibly();
      } catch (InterruptedException ex) {
        h.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      try {
        Files.deleteIfExists(pidFile(config, e.getKey()));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
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
