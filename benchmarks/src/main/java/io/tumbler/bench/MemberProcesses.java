package io.tumbler.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes of a peer cluster's members (ZooKeeper servers, etcd members) by member id, each
 * with a pid file another process can find it by: what both cluster launchers share.
 */
public final class MemberProcesses {

  private static final Logger log = LoggerFactory.getLogger(MemberProcesses.class);

  /** How long a member may take to stop after SIGTERM before it gets SIGKILL. */
  public static final Duration STOP_PATIENCE = Duration.ofSeconds(10);

  private final String kind;
  private final IntFunction<Path> pidFile;
  private final Map<Integer, ProcessHandle> members = new TreeMap<>();

  /**
   * @param kind what a member is, for messages ("ZooKeeper server", "etcd member")
   * @param pidFile where member {@code id}'s pid file is
   */
  public MemberProcesses(String kind, IntFunction<Path> pidFile) {
    this.kind = kind;
    this.pidFile = pidFile;
  }

  /** Records member {@code id}'s process and writes its pid file. */
  public void started(int id, ProcessHandle process) throws IOException {
    Files.writeString(pidFile.apply(id), process.pid() + "\n");
    members.put(id, process);
  }

  /** Adopts member {@code id}'s process, found by its pid file (no file is written). */
  public void adopt(int id, ProcessHandle process) {
    members.put(id, process);
  }

  /** The pid in member {@code id}'s pid file, if there is one. */
  public Optional<Long> recordedPid(int id) throws IOException {
    Path file = pidFile.apply(id);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(Long.parseLong(Files.readString(file).trim()));
  }

  /** The member's process, alive or not, if it was started or adopted. */
  public Optional<ProcessHandle> get(int id) {
    return Optional.ofNullable(members.get(id));
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

  /** Stops every member (SIGTERM, then SIGKILL after {@link #STOP_PATIENCE}) and its pid file. */
  public void stopAll() {
    members.values().forEach(ProcessHandle::destroy);
    for (Map.Entry<Integer, ProcessHandle> e : members.entrySet()) {
      ProcessHandle h = e.getValue();
      try {
        h.onExit().get(STOP_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException ex) {
        log.warn("{} {} did not stop within {}; killing it", kind, e.getKey(), STOP_PATIENCE);
        h.destroyForcibly();
      } catch (InterruptedException ex) {
        h.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      try {
        Files.deleteIfExists(pidFile.apply(e.getKey()));
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
    }
  }
}
