package io.tumbler.client.cli;

import io.tumbler.client.Handle;
import io.tumbler.client.HandleListener;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.SessionListener;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Stat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "watch",
    description = {
      "Prints a node's events as they come, one per line, until interrupted:",
      "  CONTENTS_MODIFIED PATH generation=N",
      "  CHILD_CHANGED PATH child=NAME change=ADDED|REMOVED|MODIFIED",
      "  LOCK_ACQUIRED PATH mode=EXCLUSIVE|SHARED generation=N",
      "  RESYNC PATH generation=N [children=N]   (events may have been lost; re-read)",
      "  DELETED PATH   (then exits 0)",
      "With --json, one JSON object per line with an \"event\" field."
    })
final class WatchCommand extends CellCommand {

  @Parameters(paramLabel = "PATH", description = "The file or directory to watch.")
  String path;

  private final CountDownLatch done = new CountDownLatch(1);
  private volatile Handle handle;
  private volatile boolean expired;

  @Override
  public Integer call() throws InterruptedException {
    SessionListener session =
        new SessionListener() {
          @Override
          public void onExpired() {
            expired = true;
            done.countDown();
          }
        };
    try (TumblerClient client = cli.connect(session)) {
      Runtime.getRuntime().addShutdownHook(new Thread(client::close, "tumbler-shutdown"));
      HandleListener listener =
          new HandleListener() {
            @Override
            public void onEvent(Event event) {
              print(event);
            }

            @Override
            public void onEventsMayBeLost() {
              resync();
            }
          };
      handle =
          client.open(
              path,
              OpenOptions.read()
                  .events(
                      EventKind.CONTENTS_MODIFIED, EventKind.CHILD_CHANGED, EventKind.LOCK_ACQUIRED)
                  .listener(listener));
      System.err.println("tumbler: watching " + handle.path() + " (Ctrl-C to stop)");
      System.err.flush();
      done.await();
      if (expired) {
        throw new CliFailure(ExitCode.SESSION_EXPIRED, "the session expired; events stopped");
      }
      return ExitCode.OK;
    }
  }

  private synchronized void print(Event event) {
    Map<String, Object> json = new LinkedHashMap<>();
    StringBuilder text = new StringBuilder();
    if (event instanceof Event.ContentsModified e) {
      json.put("event", e.kind().name());
      json.put("path", e.path());
      json.put("contentGeneration", e.contentGeneration());
      text.append(e.kind()).append(' ').append(e.path());
      text.append(" generation=").append(e.contentGeneration());
    } else if (event instanceof Event.ChildChanged e) {
      json.put("event", e.kind().name());
      json.put("path", e.path());
      json.put("child", e.child());
      json.put("change", e.change().name());
      text.append(e.kind()).append(' ').append(e.path());
      text.append(" child=").append(e.child()).append(" change=").append(e.change());
    } else if (event instanceof Event.LockAcquired e) {
      json.put("event", e.kind().name());
      json.put("path", e.path());
      json.put("mode", e.mode().name());
      json.put("lockGeneration", e.lockGeneration());
      text.append(e.kind()).append(' ').append(e.path());
      text.append(" mode=").append(e.mode()).append(" generation=").append(e.lockGeneration());
    } else if (event instanceof Event.HandleInvalid e) {
      json.put("event", "DELETED");
      json.put("path", e.path());
      text.append("DELETED ").append(e.path());
      done.countDown();
    } else if (event instanceof Event.ConflictingLockRequest e) {
      json.put("event", e.kind().name());
      json.put("path", e.path());
      json.put("mode", e.requested().name());
      text.append(e.kind()).append(' ').append(e.path()).append(" mode=").append(e.requested());
    } else {
      throw new AssertionError("unknown event " + event);
    }
    emit(json, text.toString());
  }

  /** Events may have been lost: re-read the node and say where it stands now. */
  private synchronized void resync() {
    Handle h = handle;
    if (h == null) {
      return;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    StringBuilder text = new StringBuilder("RESYNC ").append(h.path());
    json.put("event", "RESYNC");
    json.put("path", h.path());
    try {
      Stat stat = h.getStat();
      json.put("contentGeneration", stat.contentGeneration());
      text.append(" generation=").append(stat.contentGeneration());
      if (stat.kind() == NodeKind.DIRECTORY) {
        int children = h.readDir().size();
        json.put("children", children);
        text.append(" children=").append(children);
      }
    } catch (TumblerException e) {
      json.put("error", e.getMessage());
      text.append(" error=").append(e.getMessage());
    }
    emit(json, text.toString());
  }

  private void emit(Map<String, Object> json, String text) {
    if (cli.json) {
      cli.printJson(json);
    } else {
      cli.out().println(text);
      cli.out().flush();
    }
  }
}
