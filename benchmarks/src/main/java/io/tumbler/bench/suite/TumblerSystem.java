package io.tumbler.bench.suite;

import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tumbler.bench.driver.Driver;
import io.tumbler.bench.driver.TumblerDriver;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A three-replica Tumbler cell started with {@code scripts/cell} (the shaded server jar, one JVM
 * per replica, ports 7101–7103), with {@link #BENCH_CONFIG}: the server's defaults except a shorter
 * master lease, so that a dead master is replaced in about two seconds, as ZooKeeper and etcd
 * replace a dead leader; and limits high enough for the sessions workload.
 */
final class TumblerSystem implements BenchedSystem {

  static final int REPLICAS = 3;
  static final int BASE_PORT = 7100;

  /**
   * Added to each replica's YAML. The lease and election timing are what EmbeddedCell uses for
   * tests (docs/operations.md, "paxos"); the session limits admit the sessions workload's 100 000
   * sessions from one host.
   */
  static final String BENCH_CONFIG =
      """
      sessions:
        maxSessionsPerClientHost: 200000
      paxos:
        masterLeaseMs: 1500
        heartbeatIntervalMs: 250
        electionTimeoutMs: 1000
        electionJitterMaxMs: 500
      maxClientConnections: 200000
      """;

  private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

  private final Path repositoryRoot;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
  private final ObjectMapper json = new ObjectMapper();
  private Path dir;

  TumblerSystem(Path repositoryRoot) {
    this.repositoryRoot = repositoryRoot;
  }

  @Override
  public String name() {
    return "tumbler";
  }

  @Override
  public Set<Workload> workloads() {
    return EnumSet.complementOf(EnumSet.of(Workload.READ_SYNC));
  }

  @Override
  public void start(Path dir) throws Exception {
    this.dir = dir;
    Files.createDirectories(dir);
    Path extra = dir.resolve("bench-config.yaml");
    Files.writeString(extra, BENCH_CONFIG, StandardCharsets.UTF_8);
    cellScript(
        "start",
        "--replicas",
        Integer.toString(REPLICAS),
        "--base-port",
        Integer.toString(BASE_PORT),
        "--extra-config",
        extra.toString());
  }

  @Override
  public List<String> addresses() {
    List<String> addresses = new ArrayList<>();
    for (int id = 1; id <= REPLICAS; id++) {
      addresses.add("127.0.0.1:" + (BASE_PORT + id));
    }
    return addresses;
  }

  @Override
  public Driver newDriver(Workload workload) {
    return workload == Workload.READ_CACHED ? TumblerDriver.cached() : TumblerDriver.uncached();
  }

  @Override
  public long leaderPid() throws Exception {
    return pid(leader());
  }

  @Override
  public int killLeader() throws Exception {
    int leader = leader();
    ProcessHandle.of(pid(leader)).ifPresent(ProcessHandle::destroyForcibly);
    return leader;
  }

  @Override
  public void restart(int member) throws Exception {
    cellScript("restart", Integer.toString(member));
  }

  /** Protocol-level sessions without threads: bounded by the sessions allowed per host. */
  @Override
  public int maxIdleSessions() {
    return 200_000;
  }

  @Override
  public IdleSessions openIdleSessions(int n) throws Exception {
    return TumblerIdleSessions.open("127.0.0.1:" + (BASE_PORT + leader()), n);
  }

  @Override
  public void close() {
    if (dir == null) {
      return;
    }
    try {
      cellScript("stop");
    } catch (Exception e) {
      throw new IllegalStateException("scripts/cell stop --dir " + dir + " failed", e);
    }
  }

  /** The replica that reports itself LEADER on /health (polls through an election). */
  private int leader() throws Exception {
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      for (int id = 1; id <= REPLICAS; id++) {
        if (role(id).filter("LEADER"::equals).isPresent()) {
          return id;
        }
      }
      TimeUnit.MILLISECONDS.sleep(100); // polling interval, not a hoped-for delay
    }
    throw new IllegalStateException("no replica of " + dir + " reports LEADER");
  }

  private Optional<String> role(int id) {
    URI health = URI.create("http://127.0.0.1:" + (BASE_PORT + 200 + id) + "/health");
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(health).timeout(HEALTH_TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return Optional.empty();
      }
      JsonNode body = json.readTree(r.body());
      return Optional.ofNullable(body.path("role").asText(null));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private long pid(int id) throws IOException {
    return Long.parseLong(
        Files.readString(dir.resolve("replica-" + id + ".pid"), StandardCharsets.UTF_8).trim());
  }

  private void cellScript(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(repositoryRoot.resolve("scripts/cell").toString());
    command.addAll(List.of(args));
    command.add("--dir");
    command.add(dir.toString());
    Path log = dir.resolve("scripts-cell.log");
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    if (!p.waitFor(START_DEADLINE.toSeconds() + 30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("scripts/cell " + args[0] + " did not finish; see " + log);
    }
    checkState(
        p.exitValue() == 0,
        "scripts/cell %s failed (exit %s); see %s",
        args[0],
        p.exitValue(),
        log);
  }
}
