package io.tumbler.client.cli;

import io.tumbler.client.SessionListener;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.lock.Sequencer;
import java.io.IOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What {@code lock} and {@code elect} share: they hold a lock while a COMMAND runs. If the session
 * expires meanwhile the lock is lost, so the COMMAND is stopped (SIGTERM, then SIGKILL after {@link
 * #STOP_GRACE_SECONDS}); a jeopardy is reported on stderr. When tumbler itself is stopped (SIGINT,
 * SIGTERM) the COMMAND is stopped too and the session ended, which releases the lock at once.
 */
final class LockHolder implements SessionListener {

  static final long STOP_GRACE_SECONDS = 5;

  private final String what;
  private final CountDownLatch expired = new CountDownLatch(1);
  private volatile Process child;
  private volatile TumblerClient client;
  private volatile Runnable beforeClose = () -> {};

  /** {@code what} names the lock in messages, e.g. "the lock on /ls/local/job". */
  LockHolder(String what) {
    this.what = what;
  }

  /**
   * Ends {@code client}'s session on shutdown, after stopping the COMMAND and running beforeClose.
   */
  void attach(TumblerClient client) {
    this.client = client;
    Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "tumbler-shutdown"));
  }

  /** Runs on shutdown while the session still lives (e.g. elect clears its file). */
  void beforeClose(Runnable r) {
    this.beforeClose = r;
  }

  private void shutdown() {
    stopChild();
    TumblerClient c = client;
    if (c != null) {
      try {
        beforeClose.run();
      } catch (RuntimeException e) {
        // best effort: the session is ending anyway
      }
      c.close();
    }
  }

  @Override
  public void onJeopardy() {
    System.err.println(
        "tumbler: no master answers: the session is in jeopardy; " + what + " may be lost");
  }

  @Override
  public void onSafe() {
    System.err.println("tumbler: a master answers again: the session and " + what + " are intact");
  }

  @Override
  public void onExpired() {
    expired.countDown();
    stopChild();
  }

  boolean expired() {
    return expired.getCount() == 0;
  }

  /** Blocks until the session expires (elect without a COMMAND). */
  void awaitExpiry() throws InterruptedException {
    expired.await();
  }

  /** The environment a COMMAND gets for holding {@code sequencer}. */
  static Map<String, String> environment(String path, ByteString sequencer) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(TumblerCli.SEQUENCER_ENV, Base64.getEncoder().encodeToString(sequencer.toByteArray()));
    env.put("TUMBLER_LOCK_PATH", path);
    Sequencer.decode(sequencer)
        .ifPresent(s -> env.put("TUMBLER_LOCK_GENERATION", Long.toString(s.lockGeneration())));
    return env;
  }

  /** Runs {@code command} with standard streams inherited; its exit code. */
  int run(List<String> command, Map<String, String> env) throws InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    builder.environment().putAll(env);
    Process p;
    try {
      p = builder.start();
    } catch (IOException e) {
      boolean missing = String.valueOf(e.getMessage()).contains("error=2,");
      throw new CliFailure(
          missing ? ExitCode.COMMAND_NOT_FOUND : ExitCode.COMMAND_NOT_EXECUTABLE,
          "cannot run '" + command.get(0) + "': " + e.getMessage());
    }
    child = p;
    if (expired()) {
      stopChild();
    }
    int code = p.waitFor();
    child = null;
    return code;
  }

  private void stopChild() {
    Process p = child;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
