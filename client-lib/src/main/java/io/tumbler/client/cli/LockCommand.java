package io.tumbler.client.cli;

import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.LockMode;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "lock",
    description = {
      "Holds a lock while COMMAND runs, then releases it; exits with COMMAND's exit code.",
      "The lock file is created (empty, permanent) if absent. COMMAND gets the lock's sequencer"
          + " in $TUMBLER_SEQUENCER (standard Base64), the path in $TUMBLER_LOCK_PATH and the lock"
          + " generation in $TUMBLER_LOCK_GENERATION.",
      "If the session expires while COMMAND runs, the lock is lost: COMMAND is stopped (SIGTERM)"
          + " and tumbler exits 7."
    })
final class LockCommand extends CellCommand {

  @Parameters(index = "0", paramLabel = "PATH", description = "The lock file.")
  String path;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "COMMAND",
      description = "The command to run while holding the lock, after --.")
  List<String> command;

  @Option(names = "--shared", description = "Take a shared (reader) lock, not an exclusive one.")
  boolean shared;

  @Option(
      names = "--wait",
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "Give up (exit 5) if the lock is not granted within DURATION; 0 tries once."
              + " Default: wait as long as it takes.")
  Duration wait;

  @Option(
      names = "--lock-delay",
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "If this session dies holding the lock, nobody may take it for this long (at most 60s;"
              + " default: the cell's).")
  Duration lockDelay;

  @Override
  public Integer call() throws InterruptedException {
    LockMode mode = shared ? LockMode.SHARED : LockMode.EXCLUSIVE;
    LockHolder holder = new LockHolder("the lock on " + path);
    try (TumblerClient client = cli.connect(holder)) {
      holder.attach(client);
      OpenOptions options = OpenOptions.lock().createIfAbsent();
      if (lockDelay != null) {
        options = options.lockDelay(lockDelay);
      }
      Handle lock = client.open(path, options);
      boolean granted;
      if (wait == null) {
        lock.acquire(mode);
        granted = true;
      } else if (wait.isZero()) {
        granted = lock.tryAcquire(mode);
      } else {
        granted = lock.acquire(mode, wait);
      }
      if (!granted) {
        throw new CliFailure(
            ExitCode.LOCK_NOT_ACQUIRED,
            "lock not acquired: "
                + path
                + " is held by another session"
                + (wait.isZero() ? "" : " (waited " + Durations.format(wait) + ")"));
      }
      int code = holder.run(command, LockHolder.environment(lock.path(), lock.getSequencer()));
      if (holder.expired()) {
        throw new CliFailure(
            ExitCode.SESSION_EXPIRED,
            "the session expired while the command ran: the lock on " + path + " was lost");
      }
      lock.release();
      return code;
    }
  }
}
