package io.tumbler.client.cli;

import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "elect",
    description = {
      "Campaigns for leadership: waits for the exclusive lock on PATH, writes ID into PATH,"
          + " prints 'elected: ID ...', then runs COMMAND as leader (with $TUMBLER_SEQUENCER, as"
          + " lock does) and exits with its code. With no COMMAND, leads until interrupted.",
      "On stepping down the file is emptied and the lock released. If the session expires,"
          + " leadership is lost: COMMAND is stopped and tumbler exits 7."
    })
final class ElectCommand extends CellCommand {

  @Parameters(index = "0", paramLabel = "PATH", description = "The election's lock file.")
  String path;

  @Parameters(
      index = "1..*",
      arity = "0..*",
      paramLabel = "COMMAND",
      description = "What to run as leader, after --.")
  List<String> command = List.of();

  @Option(
      names = "--id",
      required = true,
      paramLabel = "ID",
      description = "This candidate's name, written into PATH when elected (e.g. host:port).")
  String id;

  @Option(
      names = "--lock-delay",
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "If this leader dies, no candidate may take over for this long (at most 60s; default:"
              + " the cell's). Servers that check the sequencer are safe with a short one.")
  Duration lockDelay;

  @Override
  public Integer call() throws InterruptedException {
    LockHolder holder = new LockHolder("leadership of " + path);
    try (TumblerClient client = cli.connect(holder)) {
      holder.attach(client);
      OpenOptions options = OpenOptions.lock().createIfAbsent();
      if (lockDelay != null) {
        options = options.lockDelay(lockDelay);
      }
      Handle lock = client.open(path, options);
      lock.acquire(LockMode.EXCLUSIVE);
      lock.setContents(ByteString.utf8(id));
      // From here on, stepping down (normally or by a signal) empties the file first.
      holder.beforeClose(() -> stepDown(lock));
      ByteString sequencer = lock.getSequencer();
      long generation = Sequencer.decode(sequencer).map(Sequencer::lockGeneration).orElse(-1L);
      if (cli.json) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("event", "elected");
        json.put("path", lock.path());
        json.put("id", id);
        json.put("lockGeneration", generation);
        json.put("sequencer", Base64.getEncoder().encodeToString(sequencer.toByteArray()));
        cli.printJson(json);
      } else {
        cli.out()
            .println(
                "elected: "
                    + id
                    + " leads "
                    + lock.path()
                    + " (lock generation "
                    + generation
                    + ")");
        cli.out().flush();
      }
      int code = ExitCode.OK;
      if (command.isEmpty()) {
        holder.awaitExpiry(); // until interrupted: the shutdown hook steps down
      } else {
        code = holder.run(command, LockHolder.environment(lock.path(), sequencer));
      }
      if (holder.expired()) {
        throw new CliFailure(
            ExitCode.SESSION_EXPIRED, "the session expired: leadership of " + path + " was lost");
      }
      holder.beforeClose(() -> {});
      stepDown(lock);
      return code;
    }
  }

  private static void stepDown(Handle lock) {
    try {
      lock.setContentsAsync(ByteString.EMPTY).get(2, TimeUnit.SECONDS);
      lock.releaseAsync().get(2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // best effort: ending the session releases the lock anyway
    }
  }
}
