package io.tumbler.client.transport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A cell of replica processes on loopback, each started as {@code java -cp <test classpath>
 * io.tumbler.cell.server.TumblerServer --config replica-N.yaml} with this JVM's Chronicle flags, so
 * tests can {@code kill -9} one. Which replica is master is read from each one's {@code /health}.
 */
final class ProcessCell implements AutoCloseable {

  /**
   * The server as users run it: the shaded jar the cell module builds in {@code package}, which the
   * reactor runs before this module's integration tests.
   */
  static final Path SERVER_JAR = Path.of("..", "cell", "target", "tumbler-server.jar");

  private final Path dir;
  private final int replicas;
  private final List<Integer> clientPorts = new ArrayList<>();
  private final List<Integer> adminPorts = new ArrayList<>();
  private final List<Integer> peerPorts = new ArrayList<>();
  private final Process[] processes;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  ProcessCell(Path dir, int replicas, String extraYaml) throws IOException {
    this.dir = dir;
    this.replicas = replicas;
    this.processes = new Process[replicas + 1];
    for (int id = 1; id <= replicas; id++) {
      clientPorts.add(freePort());
      peerPorts.add(freePort());
      adminPorts.add(freePort());
    }
    StringBuilder members = new StringBuilder();
    for (int id = 1; id <= replicas; id++) {
      members.append(
          String.format(
              "  - {id: %d, client: \"127.0.0.1:%d\", peer: \"127.0.0.1:%d\", admin: \"127.0.0.1:%d\"}%n",
              id, clientPorts.get(id - 1), peerPorts.get(id - 1), adminPorts.get(id - 1)));
    }
    for (int id = 1; id <= replicas; id++) {
      String yaml =
          "cell: local\n"
              + "replicaId: "
              + id
              + "\n"
              + "dataDir: "
              + dir.resolve("replica-" + id)
              + "\n"
              + "replicas:\n"
              + members
              + extraYaml;
      Files.writeString(config(id), yaml);
    }
  }

  private Path config(int id) {
    return dir.resolve("replica-" + id + ".yaml");
  }

  void startAll() throws IOException {
    if (!Files.isRegularFile(SERVER_JAR)) {
      throw new IllegalStateException(
          SERVER_JAR.toAbsolutePath()
              + " is missing: run through `./mvnw verify`, which packages it");
    }
    for (int id = 1; id <= replicas; id++) {
      start(id);
    }
  }

  void start(int id) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("--add-")
          || argument.startsWith("--enable-native-access")
          || argument.startsWith("-Dchronicle")
          || argument.startsWith("--sun-misc")) {
        command.add(argument);
      }
    }
    command.add("-jar");
    command.add(SERVER_JAR.toString());
    command.add("--config");
    command.add(config(id).toString());
    Path log = dir.resolve("replica-" + id + ".log");
    processes[id] =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
  }

  /** {@code kill -9}: no shutdown hook, no flush. */
  void kill(int id) throws InterruptedException {
    Process p = processes[id];
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
      processes[id] = null;
    }
  }

  /** SIGSTOP: the process keeps its sockets open (the kernel still accepts) but answers nothing. */
  void pause(int id) throws IOException, InterruptedException {
    signal(id, "STOP");
  }

  /** SIGCONT after {@link #pause}. */
  void resume(int id) throws IOException, InterruptedException {
    signal(id, "CONT");
  }

  private void signal(int id, String signal) throws IOException, InterruptedException {
    Process p = processes[id];
    if (p == null) {
      throw new IllegalStateException("replica " + id + " is not running");
    }
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
    if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + signal + " " + p.pid() + " failed");
    }
  }

  String clientAddress(int id) {
    return "127.0.0.1:" + clientPorts.get(id - 1);
  }

  String peerAddress(int id) {
    return "127.0.0.1:" + peerPorts.get(id - 1);
  }

  /** The replica's applied index from its /health, or -1 if it does not answer. */
  long appliedIndex(int id) {
    try {
      HttpResponse<String> r = health(id);
      var m = java.util.regex.Pattern.compile("\"appliedIndex\":(\\d+)").matcher(r.body());
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private HttpResponse<String> health(int id) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPorts.get(id - 1) + "/health"))
            .timeout(Duration.ofSeconds(2))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  List<String> clientAddresses() {
    return clientPorts.stream().map(p -> "127.0.0.1:" + p).toList();
  }

  /** The replica whose /health says it is master and serving, if any. */
  Optional<Integer> master() {
    for (int id = 1; id <= replicas; id++) {
      if (processes[id] == null) {
        continue;
      }
      try {
        HttpResponse<String> r = health(id);
        if (r.statusCode() == 200 && r.body().contains("\"LEADER\"")) {
          return Optional.of(id);
        }
      } catch (IOException e) {
        // not up yet, or going down
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /** Waits for a master; fails with every replica's log tail if none comes. */
  int awaitMaster(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (System.nanoTime() < deadline) {
      boolean anyAlive = false;
      for (int id = 1; id <= replicas; id++) {
        anyAlive |= processes[id] != null && processes[id].isAlive();
      }
      if (!anyAlive) {
        break;
      }
      Optional<Integer> master = master();
      if (master.isPresent()) {
        return master.get();
      }
      Thread.sleep(100);
    }
    StringBuilder logs =
        new StringBuilder("no master within " + atMost + " (or every replica died)");
    for (int id = 1; id <= replicas; id++) {
      logs.append("\n--- replica ").append(id).append(":\n").append(logTail(id));
    }
    throw new AssertionError(logs.toString());
  }

  /** Everything a replica logged, across its restarts. */
  String log(int id) throws IOException {
    return Files.readString(dir.resolve("replica-" + id + ".log"));
  }

  /** The last lines of a replica's log, for a failure message. */
  String logTail(int id) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("replica-" + id + ".log"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * A port nobody listened on a moment ago and not yet given to this cell: the kernel may hand the
   * same free port out twice in a row, and two replicas configured on one port never start.
   */
  private int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        int port = s.getLocalPort();
        if (!clientPorts.contains(port)
            && !peerPorts.contains(port)
            && !adminPorts.contains(port)) {
          return port;
        }
      }
    }
  }

  @Override
  public void close() {
    try {
      for (int id = 1; id <= replicas; id++) {
        kill(id);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
