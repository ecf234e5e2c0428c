package io.tumbler.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tumbler CLI as users run it: {@code scripts/tumbler} (which runs the shaded
 * target/tumbler-cli.jar that {@code package} builds) as a subprocess, against a real three-replica
 * cell in this JVM. Each command is a JVM start, so the tests share one cell and use few commands.
 */
class CliCommandsIT {

  private static final Path LAUNCHER = Path.of("..", "scripts", "tumbler").toAbsolutePath();
  private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(60);
  private static final Duration AWAIT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static EmbeddedCell cell;
  private static TumblerClient client;

  private final List<Process> started = new ArrayList<>();

  /** A finished command: its exit code and what it printed. */
  record Run(int exitCode, String out, String err) {}

  @BeforeAll
  static void startCell() {
    cell = EmbeddedCell.start(3, dir.resolve("cell"));
    client = TumblerClient.builder().cell(cell.connectString()).build();
    client.open("/ls/local/cli", OpenOptions.readWrite().directory());
  }

  @AfterAll
  static void stopCell() {
    if (client != null) {
      client.close();
    }
    if (cell != null) {
      cell.close();
    }
  }

  @AfterEach
  void stopProcesses() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Test
  void putGetStatLsRmRoundTrip() throws Exception {
    assertThat(tumbler("put", "/ls/local/cli/greeting", "hello world").exitCode()).isZero();

    Run get = tumbler("get", "/ls/local/cli/greeting");
    assertThat(get.exitCode()).isZero();
    assertThat(get.out()).isEqualTo("hello world"); // byte for byte, no newline added
    assertThat(get.err()).isEmpty();

    Run stat = tumbler("stat", "/ls/local/cli/greeting");
    assertThat(stat.out()).contains("kind:               FILE").contains("content-length:     11");

    Run ls = tumbler("ls", "/ls/local/cli");
    assertThat(ls.out().lines()).contains("greeting");

    assertThat(tumbler("rm", "/ls/local/cli/greeting").exitCode()).isZero();
    assertThat(tumbler("get", "/ls/local/cli/greeting").exitCode()).isEqualTo(ExitCode.NOT_FOUND);
  }

  @Test
  void putReadsStandardInputAndComparesGenerations() throws Exception {
    Run put = tumblerWithInput("from stdin\n", "put", "/ls/local/cli/stdin", "-");
    assertThat(put.exitCode()).isZero();
    assertThat(client.open("/ls/local/cli/stdin", OpenOptions.read()).getContentsAndStat().text())
        .isEqualTo("from stdin\n");

    Run stale = tumbler("put", "--expect-generation", "7", "/ls/local/cli/stdin", "x");
    assertThat(stale.exitCode()).isEqualTo(ExitCode.GENERATION_MISMATCH);
    assertThat(stale.err().lines()).hasSize(1).first().asString().contains("GENERATION_MISMATCH");
  }

  @Test
  void getOfAMissingPathExitsNotFoundWithOneLineError() throws Exception {
    Run get = tumbler("get", "/ls/local/cli/no-such-file");

    assertThat(get.exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    assertThat(get.out()).isEmpty();
    assertThat(get.err().lines())
        .containsExactly("tumbler: NOT_FOUND: /ls/local/cli/no-such-file does not exist");
  }

  @Test
  void usageErrorsExitTwoWithOneLine() throws Exception {
    Run unknown = tumbler("frobnicate");
    assertThat(unknown.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(unknown.err().lines()).hasSize(1);

    Run badDuration = tumbler("lock", "--wait", "soon", "/ls/local/cli/l", "--", "true");
    assertThat(badDuration.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(badDuration.err()).contains("'soon' is not a duration");
  }

  @Test
  void lockRunsTheCommandWithTheSequencerThenReleasesAndExitsWithItsCode() throws Exception {
    Run lock =
        tumbler("lock", "/ls/local/cli/job", "--", "sh", "-c", "echo $TUMBLER_SEQUENCER; exit 3");

    assertThat(lock.exitCode()).isEqualTo(3);
    byte[] raw = Base64.getDecoder().decode(lock.out().trim());
    Sequencer sequencer = Sequencer.decode(ByteString.wrap(raw)).orElseThrow();
    assertThat(sequencer.path()).isEqualTo("/ls/local/cli/job");
    assertThat(sequencer.mode()).isEqualTo(LockMode.EXCLUSIVE);
    // Released: another session takes it at once, and the old sequencer no longer holds.
    try (Handle h = client.open("/ls/local/cli/job", OpenOptions.lock())) {
      assertThat(h.tryAcquire(LockMode.EXCLUSIVE)).isTrue();
      assertThat(client.checkSequencer(ByteString.wrap(raw))).isFalse();
      h.release();
    }
  }

  @Test
  void lockWithWaitOnAHeldLockExitsLockNotAcquired() throws Exception {
    try (Handle held = client.open("/ls/local/cli/busy", OpenOptions.lock().createIfAbsent())) {
      held.acquire(LockMode.EXCLUSIVE);

      long startedNanos = System.nanoTime();
      Run lock = tumbler("lock", "--wait", "1s", "/ls/local/cli/busy", "--", "echo", "ran");

      assertThat(lock.exitCode()).isEqualTo(ExitCode.LOCK_NOT_ACQUIRED);
      assertThat(lock.out()).doesNotContain("ran");
      assertThat(lock.err().lines()).hasSize(1).first().asString().contains("lock not acquired");
      assertThat(Duration.ofNanos(System.nanoTime() - startedNanos))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
      held.release();
    }
  }

  @Test
  void jsonOutputParses() throws Exception {
    assertThat(tumbler("put", "/ls/local/cli/j", "{\"a\":1}").exitCode()).isZero();

    JsonNode get = JSON.readTree(tumbler("--json", "get", "/ls/local/cli/j").out());
    assertThat(get.get("contents").asText()).isEqualTo("{\"a\":1}");
    assertThat(get.get("stat").get("kind").asText()).isEqualTo("FILE");

    JsonNode put = JSON.readTree(tumbler("put", "--json", "/ls/local/cli/j", "two").out());
    assertThat(put.get("created").asBoolean()).isFalse();
    assertThat(put.get("stat").get("contentGeneration").asLong()).isPositive();

    JsonNode ls = JSON.readTree(tumbler("ls", "/ls/local/cli", "--json").out());
    assertThat(ls.get("children").findValuesAsText("name")).contains("j");

    Run status = tumbler("--json", "status");
    assertThat(status.exitCode()).isZero();
    JsonNode s = JSON.readTree(status.out());
    assertThat(s.get("master").asText()).isIn(cell.clientAddresses());
    assertThat(s.get("epoch").asLong()).isPositive();
    assertThat(JSON.convertValue(s.get("members"), List.class))
        .containsExactlyInAnyOrderElementsOf(cell.clientAddresses());
  }

  @Test
  void anUnreachableCellExitsQuicklyWithItsCode() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed: nothing listens there
    }
    long startedNanos = System.nanoTime();
    Run get = run(null, "--cell", "127.0.0.1:" + port, "--timeout", "1s", "get", "/ls/local/cli/x");

    assertThat(get.exitCode()).isEqualTo(ExitCode.CELL_UNREACHABLE);
    assertThat(get.err().lines()).hasSize(1).first().asString().contains("cell unreachable");
    assertThat(Duration.ofNanos(System.nanoTime() - startedNanos))
        .isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void watchPrintsAnEventForAWrite() throws Exception {
    client.open("/ls/local/cli/watched", OpenOptions.readWrite().initialContents("v0"));
    Background watch = background("watch", "/ls/local/cli/watched");
    await().atMost(AWAIT).until(() -> watch.err().contains("watching /ls/local/cli/watched"));

    assertThat(tumbler("put", "/ls/local/cli/watched", "v1").exitCode()).isZero();

    await()
        .atMost(AWAIT)
        .until(() -> watch.out().contains("CONTENTS_MODIFIED /ls/local/cli/watched generation="));
    watch.process().destroy();
  }

  @Test
  void electPrintsElectedWritesItsIdAndStepsDownWhenStopped() throws Exception {
    Background elect = background("elect", "/ls/local/cli/leader", "--id", "alpha");
    await().atMost(AWAIT).until(() -> elect.out().startsWith("elected: alpha leads"));
    assertThat(client.open("/ls/local/cli/leader", OpenOptions.read()).getStat().contentLength())
        .isEqualTo("alpha".length());

    elect.process().destroy(); // SIGTERM: steps down, ending its session
    assertThat(elect.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    try (Handle h = client.open("/ls/local/cli/leader", OpenOptions.lock())) {
      await().atMost(AWAIT).until(() -> h.tryAcquire(LockMode.EXCLUSIVE));
      h.release();
    }
  }

  // --- running the launcher --------------------------------------------------------------------

  /** A command still running, its output going to files. */
  record Background(Process process, File outFile, File errFile) {
    String out() throws IOException {
      return Files.readString(outFile.toPath());
    }

    String err() throws IOException {
      return Files.readString(errFile.toPath());
    }
  }

  private Run tumbler(String... args) throws Exception {
    return run(null, withCell(args));
  }

  private Run tumblerWithInput(String input, String... args) throws Exception {
    return run(input, withCell(args));
  }

  private static String[] withCell(String... args) {
    List<String> all = new ArrayList<>(List.of("--cell", cell.connectString()));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  private Background background(String... args) throws IOException {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p =
        command(withCell(args))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    started.add(p);
    return new Background(p, out.toFile(), err.toFile());
  }

  private Run run(String input, String... args) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder builder = command(args).redirectOutput(out.toFile()).redirectError(err.toFile());
    if (input == null) {
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    Process p = builder.start();
    started.add(p);
    if (input != null) {
      try (var stdin = p.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
    }
    assertThat(p.waitFor(COMMAND_DEADLINE.toSeconds(), TimeUnit.SECONDS))
        .as("tumbler %s finished", String.join(" ", args))
        .isTrue();
    return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static ProcessBuilder command(String... args) {
    List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("TUMBLER_CELL");
    return builder;
  }
}
