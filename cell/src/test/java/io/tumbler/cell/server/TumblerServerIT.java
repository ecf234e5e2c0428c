package io.tumbler.cell.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replica processes from the shaded {@code target/tumbler-server.jar} (built by {@code
 * package}, before failsafe runs): one becomes master, its admin endpoints answer, a {@code kill
 * -9} of the master hands mastership to another replica under a higher epoch, and SIGTERM stops the
 * others with exit code 0.
 */
class TumblerServerIT {

  /** Generous: three JVMs start and elect on a loaded two-core machine. */
  private static final Duration GENEROUS = Duration.ofSeconds(120);

  private static final Path SERVER_JAR = Path.of("target", "tumbler-server.jar");

  /** One sample line of the Prometheus text format: name, optional labels, a number. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\",?)*\\})?"
              + " (-?[0-9.eE+-]+|\\+Inf|-Inf|NaN)");

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final Map<Integer, Process> processes = new TreeMap<>();
  private final Map<Integer, Integer> adminPorts = new TreeMap<>();
  private final Set<Integer> handedOutPorts = new HashSet<>();

  private record Health(int id, int status, JsonNode body) {
    boolean servingAsMaster() {
      return status == 200 && "LEADER".equals(body.get("role").asText());
    }

    long epoch() {
      return body.get("epoch").asLong();
    }
  }

  @AfterEach
  void killLeftovers() throws InterruptedException {
    for (Process process : processes.values()) {
      if (process.isAlive()) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aCellElectsFailsOverAfterKillNineAndStopsGracefully() throws Exception {
    assertThat(SERVER_JAR)
        .as("the shaded jar; run this test through `./mvnw verify`, which packages first")
        .exists();
    writeConfigsAndStart(3);
    try {
      Health master = awaitOneMaster(-1);
      int masterId = master.id();

      checkMetrics(masterId);
      checkStatusPage(masterId);

      processes.get(masterId).destroyForcibly(); // SIGKILL
      assertThat(processes.get(masterId).waitFor(30, TimeUnit.SECONDS)).isTrue();
      processes.remove(masterId);

      Health successor = awaitOneMaster(master.epoch());
      assertThat(successor.id()).isNotEqualTo(masterId);
      assertThat(successor.epoch()).isGreaterThan(master.epoch());

      for (Map.Entry<Integer, Process> replica : processes.entrySet()) {
        replica.getValue().destroy(); // SIGTERM
      }
      for (Map.Entry<Integer, Process> replica : processes.entrySet()) {
        Process process = replica.getValue();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
            .as("replica %s stops within 60 s of SIGTERM", replica.getKey())
            .isTrue();
        assertThat(process.exitValue())
            .as("replica %s's exit code after SIGTERM", replica.getKey())
            .isZero();
      }
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n" + logs(), e);
    }
  }

  private void writeConfigsAndStart(int replicas) throws IOException {
    StringBuilder members = new StringBuilder();
    for (int id = 1; id <= replicas; id++) {
      int admin = freePort();
      adminPorts.put(id, admin);
      members.append(
          String.format(
              "  - {id: %d, client: \"127.0.0.1:%d\", peer: \"127.0.0.1:%d\","
                  + " admin: \"127.0.0.1:%d\"}%n",
              id, freePort(), freePort(), admin));
    }
    for (int id = 1; id <= replicas; id++) {
      Path config = dir.resolve("replica-" + id + ".yaml");
      Files.writeString(
          config,
          "cell: local\n"
              + "replicaId: "
              + id
              + "\n"
              + "dataDir: "
              + dir.resolve("data-" + id)
              + "\n"
              + "replicas:\n"
              + members
              // Short timings so failover is quick; generous enough for a loaded machine.
              + "paxos: {masterLeaseMs: 3000, heartbeatIntervalMs: 200, electionTimeoutMs: 1500,"
              + " electionJitterMaxMs: 700}\n"
              // No snapshot while the master service is young (nothing is applied anyway).
              + "snapshotEverySlots: 1000000000\n");
      processes.put(id, start(id, config));
    }
  }

  private Process start(int id, Path config) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("--add-")
          || argument.startsWith("--enable-native-access")
          || argument.startsWith("-Dchronicle")) {
        command.add(argument);
      }
    }
    // Small, quick-starting JVMs: three of them share two cores with the build.
    command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    command.addAll(List.of("-jar", SERVER_JAR.toString(), "--config", config.toString()));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("replica-" + id + ".log").toFile())
        .start();
  }

  /** Waits until exactly one replica serves as master under an epoch above {@code aboveEpoch}. */
  private Health awaitOneMaster(long aboveEpoch) {
    List<Health> masters = new ArrayList<>();
    await("exactly one replica with /health 200 as LEADER, epoch above " + aboveEpoch)
        .atMost(GENEROUS)
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              masters.clear();
              for (int id : processes.keySet()) {
                health(id)
                    .filter(h -> h.servingAsMaster() && h.epoch() > aboveEpoch)
                    .ifPresent(masters::add);
              }
              return masters.size() == 1;
            });
    return masters.get(0);
  }

  private Optional<Health> health(int id) {
    try {
      HttpResponse<String> response = get(id, "/health");
      return Optional.of(new Health(id, response.statusCode(), json.readTree(response.body())));
    } catch (IOException e) {
      return Optional.empty(); // not listening (yet, or any more)
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private void checkMetrics(int masterId) throws Exception {
    HttpResponse<String> metrics = get(masterId, "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    for (String line : metrics.body().split("\n")) {
      if (!line.startsWith("#")) {
        assertThat(line).matches(SAMPLE);
      }
    }
    assertThat(metrics.body())
        .contains("tumbler_replica_role{role=\"LEADER\"} 1.0", "tumbler_replica_lease_held 1.0");
  }

  private void checkStatusPage(int masterId) throws Exception {
    HttpResponse<String> page = get(masterId, "/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains(
            "Tumbler cell local, replica " + masterId,
            "<tr><th>role</th><td>LEADER</td></tr>",
            "127.0.0.1:" + adminPorts.get(masterId));
  }

  private HttpResponse<String> get(int id, String path) throws IOException, InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + adminPorts.get(id) + path);
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A port nobody listened on a moment ago and not handed out before in this test: the kernel may
   * offer the same free port twice in a row, and two replicas configured on one port never start.
   */
  private int freePort() throws IOException {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0)) {
        if (handedOutPorts.add(socket.getLocalPort())) {
          return socket.getLocalPort();
        }
      }
    }
  }

  /** Every replica's log, for a failure message. */
  private String logs() {
    StringBuilder all = new StringBuilder();
    for (int id : adminPorts.keySet()) {
      Path log = dir.resolve("replica-" + id + ".log");
      all.append("---- replica ").append(id).append(" (").append(log).append(")\n");
      try {
        all.append(Files.readString(log, StandardCharsets.UTF_8));
      } catch (IOException e) {
        all.append("(no log: ").append(e).append(")\n");
      }
    }
    return all.toString();
  }
}
