package io.tumbler.chaos.cell;

import static com.google.common.base.Preconditions.checkState;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's JVM: started from the server jar as users run it, killed with SIGKILL, frozen with
 * SIGSTOP and thawed with SIGCONT. Its output is appended to one log file across restarts. Not
 * thread-safe: {@link ChaosCell} serialises the calls.
 */
final class ReplicaProcess {

  private static final Logger log = LoggerFactory.getLogger(ReplicaProcess.class);

  /** How long a SIGKILLed process may take to be reaped before something is badly wrong. */
  static final long REAP_TIMEOUT_SECONDS = 30;

  private final int id;
  private final List<String> command;
  private final Path logFile;
  private Process process;
  private boolean paused;

  ReplicaProcess(int id, List<String> command, Path logFile) {
    this.id = id;
    this.command = List.copyOf(command);
    this.logFile = logFile;
  }

  int id() {
    return id;
  }

  Path logFile() {
    return logFile;
  }

  void start() throws IOException {
    checkState(!alive(), "replica %s already runs (pid %s)", id, pid());
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    paused = false;
    log.debug("replica {} started, pid {}", id, process.pid());
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  boolean paused() {
    return paused && alive();
  }

  /** The running process's pid, or -1. */
  long pid() {
    return alive() ? process.pid() : -1;
  }

  /** SIGKILL (a stopped process dies of it too), then waits until the process is gone. */
  void kill9() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroyForcibly(); // SIGKILL on Unix
    if (!process.waitFor(REAP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          "replica " + id + " (pid " + process.pid() + ") survived SIGKILL");
    }
    process = null;
    paused = false;
  }

  /** SIGSTOP: the process stops dead, its sockets open, as a long GC pause or a VM stall. */
  void pause() throws IOException, InterruptedException {
    if (alive() && !paused) {
      signal("STOP");
      paused = true;
    }
  }

  /** SIGCONT. */
  void resume() throws IOException, InterruptedException {
    if (alive() && paused) {
      signal("CONT");
    }
    paused = false;
  }

  private void signal(String name) throws IOException, InterruptedException {
    List<String> kill = new ArrayList<>(List.of("kill", "-" + name, Long.toString(process.pid())));
    Process p = new ProcessBuilder(kill).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed: " + output.trim());
    }
  }
}
