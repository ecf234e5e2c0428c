package io.tumbler.chaos.cell;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tumbler.chaos.net.LoopbackPorts;
import io.tumbler.chaos.net.ProxiedNetwork;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cell of replica <em>processes</em> on loopback, every link of it through a {@link
 * ProxiedNetwork}, for the chaos harness: it can {@code kill -9}, restart, freeze (SIGSTOP) and
 * thaw (SIGCONT) any replica, and partition any link through {@link #network()}.
 *
 * <p>Each replica runs {@code java <Chronicle flags> -Xmx256m ... -jar tumbler-server.jar --config
 * replica-N.yaml}, as docs/operations.md says, on ports picked at start from below the ephemeral
 * range (so a killed replica gets its ports back). Its YAML names itself by its real addresses and
 * every other replica by the proxies (see {@link ProxiedNetwork}); admin ports are not proxied, so
 * the harness can always ask {@code /health}.
 *
 * <p>Thread-safe: methods that start or signal processes are serialised; {@link #health} and {@link
 * #master} may run from any thread at any time.
 */
public final class ChaosCell implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ChaosCell.class);

  /** The cell's name: files are {@code /ls/local/...}, what a client assumes by default. */
  public static final String CELL_NAME = "local";

  /** Each replica's heap, as scripts/cell gives it. */
  static final String HEAP = "-Xmx256m";

  /**
   * Keep five replica JVMs light on a two-core machine: one GC thread and no optimising compiler
   * competing with the cell for the CPU (the harness measures faults, not throughput).
   */
  static final List<String> LIGHT_JVM = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  /** Chronicle Queue's flags, as scripts/jvm-flags prints them (TOOLCHAIN.md). */
  static final List<String> CHRONICLE_FLAGS =
      List.of(
          "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-exports=java.base/jdk.internal.util=ALL-UNNAMED",
          "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--enable-native-access=ALL-UNNAMED",
          "-Dchronicle.analytics.disable=true",
          "-Dchronicle.announcer.disable=true",
          "-Dchronicle.disk.monitor.disable=true");

  /** Java 24 and later also need this for Chronicle's use of sun.misc.Unsafe. */
  static final String UNSAFE_MEMORY_ACCESS = "--sun-misc-unsafe-memory-access=allow";

  static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);
  static final long POLL_INTERVAL_MS = 100;

  /**
   * How a chaos cell is started.
   *
   * @param replicas how many (an odd number: 3 or 5)
   * @param dir where the YAML files, data directories and logs go
   * @param serverJar {@code cell/target/tumbler-server.jar}
   * @param timing leases and elections
   * @param clientGroups groups of clients whose links can be cut apart ({@link ProxiedNetwork})
   * @param extraJvmArgs added to every replica's command line (a planted bug's property)
   */
  public record Options(
      int replicas,
      Path dir,
      Path serverJar,
      CellTiming timing,
      int clientGroups,
      List<String> extraJvmArgs) {
    public Options {
      checkArgument(
          replicas >= 1 && replicas % 2 == 1, "an odd number of replicas, not %s", replicas);
      checkArgument(clientGroups >= 1, "at least one client group, not %s", clientGroups);
      extraJvmArgs = List.copyOf(extraJvmArgs);
    }
  }

  /** A replica's real addresses. */
  private record Endpoints(String peer, String client, String admin) {}

  private final Options options;
  private final Map<Integer, Endpoints> endpoints;
  private final Map<Integer, ReplicaProcess> processes = new TreeMap<>();
  private final ProxiedNetwork network;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(HEALTH_TIMEOUT).build();
  private final ObjectMapper json = new ObjectMapper();
  private final Thread killOnExit;
  private boolean closed;

  private ChaosCell(Options options, Map<Integer, Endpoints> endpoints, ProxiedNetwork network) {
    this.options = options;
    this.endpoints = endpoints;
    this.network = network;
    this.killOnExit = new Thread(this::killAll, "chaos-cell-kill-on-exit");
  }

  /** Picks ports, starts the proxies and every replica; returns without waiting for a master. */
  public static ChaosCell start(Options options) throws IOException, InterruptedException {
    if (!Files.isRegularFile(options.serverJar())) {
      throw new IllegalStateException(
          options.serverJar().toAbsolutePath()
              + " is missing: build it with ./mvnw -q -pl cell -am package -DskipTests");
    }
    Files.createDirectories(options.dir());
    LoopbackPorts ports = new LoopbackPorts(new Random());
    List<Integer> picked = ports.pick(3 * options.replicas());
    Map<Integer, Endpoints> endpoints = new TreeMap<>();
    for (int id = 1; id <= options.replicas(); id++) {
      int first = 3 * (id - 1);
      endpoints.put(
          id,
          new Endpoints(
              LoopbackPorts.loopback(picked.get(first)),
              LoopbackPorts.loopback(picked.get(first + 1)),
              LoopbackPorts.loopback(picked.get(first + 2))));
    }
    Map<Integer, String> peers = new TreeMap<>();
    Map<Integer, String> clients = new TreeMap<>();
    endpoints.forEach(
        (id, e) -> {
          peers.put(id, e.peer());
          clients.put(id, e.client());
        });
    ProxiedNetwork network = ProxiedNetwork.start(peers, clients, options.clientGroups(), ports);
    ChaosCell cell = new ChaosCell(options, endpoints, network);
    Runtime.getRuntime().addShutdownHook(cell.killOnExit);
    try {
      for (int id : endpoints.keySet()) {
        cell.writeConfig(id);
        ReplicaProcess process =
            new ReplicaProcess(
                id, cell.command(id), options.dir().resolve("replica-" + id + ".log"));
        cell.processes.put(id, process);
        process.start();
      }
    } catch (IOException | RuntimeException e) {
      cell.close();
      throw e;
    }
    log.info(
        "chaos cell of {} replicas started in {}; clients {}",
        options.replicas(),
        options.dir(),
        network.clientAddresses(0));
    return cell;
  }

  private void writeConfig(int id) throws IOException {
    StringBuilder yaml = new StringBuilder();
    yaml.append("# Written by the chaos harness: this replica's own entry is its real address,\n")
        .append("# the others are the proxies of the links from it (docs/testing.md).\n")
        .append("cell: ")
        .append(CELL_NAME)
        .append('\n')
        .append("replicaId: ")
        .append(id)
        .append('\n')
        .append("dataDir: ")
        .append(options.dir().resolve("replica-" + id).toAbsolutePath())
        .append('\n')
        .append("replicas:\n");
    for (Map.Entry<Integer, Endpoints> e : endpoints.entrySet()) {
      int other = e.getKey();
      Endpoints real = e.getValue();
      String peer = other == id ? real.peer() : network.peerAddress(id, other);
      String client = other == id ? real.client() : network.clientAddress(other);
      yaml.append(
          String.format(
              "  - {id: %d, client: \"%s\", peer: \"%s\", admin: \"%s\"}%n",
              other, client, peer, real.admin()));
    }
    yaml.append(options.timing().yaml());
    Files.writeString(configFile(id), yaml.toString(), StandardCharsets.UTF_8);
  }

  private Path configFile(int id) {
    return options.dir().resolve("replica-" + id + ".yaml");
  }

  private List<String> command(int id) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(CHRONICLE_FLAGS);
    if (Runtime.version().feature() >= 24) {
      command.add(UNSAFE_MEMORY_ACCESS);
    }
    command.add(HEAP);
    command.addAll(LIGHT_JVM);
    command.addAll(options.extraJvmArgs());
    command.add("-jar");
    command.add(options.serverJar().toAbsolutePath().toString());
    command.add("--config");
    command.add(configFile(id).toAbsolutePath().toString());
    return command;
  }

  public List<Integer> replicaIds() {
    return List.copyOf(endpoints.keySet());
  }

  public int size() {
    return endpoints.size();
  }

  /** The cell's links; cut and heal them there. */
  public ProxiedNetwork network() {
    return network;
  }

  public int clientGroups() {
    return options.clientGroups();
  }

  /** What clients of {@code group} are given: every replica's client proxy for that group. */
  public List<String> clientAddresses(int group) {
    return network.clientAddresses(group);
  }

  /** {@code a:p,b:q,...} for clients of {@code group}, for {@code TumblerClient.Builder.cell}. */
  public String connectString(int group) {
    return String.join(",", clientAddresses(group));
  }

  public Path dir() {
    return options.dir();
  }

  /** The replica's pid, or -1 if it is not running. */
  public synchronized long pid(int id) {
    return process(id).pid();
  }

  public synchronized boolean running(int id) {
    return process(id).alive();
  }

  public synchronized boolean paused(int id) {
    return process(id).paused();
  }

  /** {@code kill -9}. */
  public synchronized void kill9(int id) throws InterruptedException {
    process(id).kill9();
  }

  /** Starts a killed replica again on its data directory and ports; a running one is left be. */
  public synchronized void restart(int id) throws IOException {
    ReplicaProcess p = process(id);
    if (!p.alive()) {
      p.start();
    }
  }

  /** SIGSTOP. */
  public synchronized void pause(int id) throws IOException, InterruptedException {
    process(id).pause();
  }

  /** SIGCONT. */
  public synchronized void resume(int id) throws IOException, InterruptedException {
    process(id).resume();
  }

  private ReplicaProcess process(int id) {
    ReplicaProcess p = processes.get(id);
    checkArgument(p != null, "no replica %s", id);
    return p;
  }

  /** What the replica's {@code /health} says now; {@link ReplicaHealth#NO_ANSWER} if nothing. */
  public ReplicaHealth health(int id) {
    Endpoints e = endpoints.get(id);
    checkArgument(e != null, "no replica %s", id);
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + e.admin() + "/health"))
                  .timeout(HEALTH_TIMEOUT)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = json.readTree(r.body());
      JsonNode master = body.path("master");
      return new ReplicaHealth(
          true,
          r.statusCode() == 200,
          body.path("role").isTextual() ? body.path("role").asText() : null,
          body.path("leaseHeld").asBoolean(false),
          master.isIntegralNumber() ? master.asInt() : -1,
          body.path("epoch").asLong(0),
          body.path("phase").isTextual() ? body.path("phase").asText() : null);
    } catch (IOException ex) {
      return ReplicaHealth.NO_ANSWER;
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return ReplicaHealth.NO_ANSWER;
    }
  }

  /**
   * The replica that reports itself master holding its lease, if any. During a partition an old
   * master may still say so for the rest of its lease; the one with the highest epoch wins.
   */
  public Optional<Integer> master() {
    int best = -1;
    long bestEpoch = -1;
    for (int id : endpoints.keySet()) {
      ReplicaHealth h = health(id);
      if (h.healthy() && "LEADER".equals(h.role()) && h.leaseHeld() && h.epoch() > bestEpoch) {
        best = id;
        bestEpoch = h.epoch();
      }
    }
    return best < 0 ? Optional.empty() : Optional.of(best);
  }

  /**
   * Waits until a master holds its lease and serves every operation (its failover finished).
   *
   * @throws IllegalStateException with every replica's state and log tail if none does in time
   */
  public int awaitServingMaster(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() - deadline < 0) {
      for (int id : endpoints.keySet()) {
        if (health(id).servingMaster()) {
          return id;
        }
      }
      Thread.sleep(POLL_INTERVAL_MS);
    }
    throw new IllegalStateException("no master serving within " + atMost + "\n" + describe());
  }

  /** Every replica's process state, health and last log lines: for failure messages. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    for (int id : endpoints.keySet()) {
      out.append("replica ")
          .append(id)
          .append(": pid ")
          .append(pid(id))
          .append(paused(id) ? " (paused)" : "")
          .append(", ")
          .append(health(id))
          .append('\n')
          .append(logTail(id))
          .append('\n');
    }
    out.append("cut links: ").append(network.describeCuts()).append('\n');
    return out.toString();
  }

  /** The replica's last log lines. */
  public String logTail(int id) {
    try {
      List<String> lines =
          Files.readAllLines(
              options.dir().resolve("replica-" + id + ".log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private synchronized void killAll() {
    for (ReplicaProcess p : processes.values()) {
      try {
        p.kill9();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.warn("cannot kill replica {}: {}", p.id(), e.toString());
      }
    }
  }

  /** Kills every replica and stops the proxies. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    killAll();
    network.close();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs, or ran, anyway
    }
  }
}
