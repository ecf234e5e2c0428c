package io.tumbler.client.recipes;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.client.Handle;
import io.tumbler.client.HandleListener;
import io.tumbler.client.NodeContents;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException;
import io.tumbler.client.TumblerException.HandleInvalidException;
import io.tumbler.client.TumblerException.NotFoundException;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventKind;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration file kept in memory and a listener told of its value at start and after every
 * change: the small-files use of Chubby, where thousands of clients read a file and are told when
 * it changes instead of polling it.
 *
 * <pre>{@code
 * try (ConfigWatcher config =
 *     ConfigWatcher.start(client, "/ls/local/svc/config", value ->
 *         value.ifPresentOrElse(c -> reload(c.text()), () -> useDefaults()))) {
 *   ...
 * }
 * }</pre>
 *
 * <p><b>The file may not exist yet</b>, and may be deleted and created again: the listener is then
 * told {@code Optional.empty()}, and the new file's value once it is created. Why: a service is
 * often deployed before its configuration is written, and failing at start would make deploy order
 * matter; code that needs the file can check {@link #current()} itself. The file's directory must
 * exist (it is watched for the file's creation).
 *
 * <p>The listener sees the value as it is when read, not each write: writes made in quick
 * succession may be seen as one change (a configuration is a state, not a log). It is never told
 * the same value (same node instance and content generation) twice in a row. After the master fails
 * over, or events may have been lost, the file is read again.
 *
 * <p>If the session expires, {@link #current()} keeps the last value read and no change is told any
 * more: build a new client and watcher. Thread-safe; the listener runs on the watcher's own thread.
 */
public final class ConfigWatcher implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);

  /** Told of the file's value: present with its contents and metadata, or empty if absent. */
  @FunctionalInterface
  public interface Listener {
    void onChange(Optional<NodeContents> value);
  }

  private final TumblerClient client;
  private final String path;
  private final String name;
  private final Listener listener;
  private final RecipeThread thread = new RecipeThread("config-watcher");
  private final AtomicBoolean refreshQueued = new AtomicBoolean();

  // On the watcher's thread.
  private Handle directory;
  private Handle file;
  private boolean told;
  private String toldKey;
  private boolean closed;

  private volatile Optional<NodeContents> current = Optional.empty();

  private ConfigWatcher(TumblerClient client, String path, Listener listener) {
    NodePath p = NodePath.parse(path);
    checkArgument(p.parent().isPresent() && p.baseName().isPresent(), "%s is not a file", path);
    this.client = client;
    this.path = path;
    this.name = p.baseName().orElseThrow();
    this.listener = listener;
  }

  /**
   * Starts watching {@code path}; returns after the listener was told the first value.
   *
   * @throws NotFoundException if the file's directory does not exist
   */
  public static ConfigWatcher start(TumblerClient client, String path, Listener listener) {
    checkArgument(client != null && path != null && listener != null, "all arguments are needed");
    ConfigWatcher w = new ConfigWatcher(client, path, listener);
    try {
      w.thread.callVoid(w::begin);
    } catch (RuntimeException e) {
      w.close();
      throw e;
    }
    return w;
  }

  /** The value last read: the file's contents, or empty if it did not exist. */
  public Optional<NodeContents> current() {
    return current;
  }

  /** {@link #current()} as UTF-8 text. */
  public Optional<String> currentText() {
    return current.map(NodeContents::text);
  }

  @Override
  public void close() {
    try {
      thread.callVoid(
          () -> {
            closed = true;
            if (file != null) {
              file.close();
            }
            if (directory != null) {
              directory.close();
            }
          });
    } catch (IllegalStateException alreadyClosed) {
      // closed before
    }
    thread.close();
  }

  // --- on the watcher's thread -------------------------------------------------------------------

  private void begin() {
    String parent = NodePath.parse(path).parent().orElseThrow().toString();
    directory =
        client.open(
            parent,
            OpenOptions.read()
                .events(EventKind.CHILD_CHANGED)
                .listener(
                    new HandleListener() {
                      @Override
                      public void onEvent(Event event) {
                        if (event instanceof Event.ChildChanged c
                            && c.child().equals(name)
                            && c.change() != Event.ChildChange.MODIFIED) {
                          refreshLater(); // created or deleted
                        }
                      }

                      @Override
                      public void onEventsMayBeLost() {
                        refreshLater();
                      }
                    }));
    refresh();
  }

  /** Reads again once, however many events asked for it meanwhile. */
  private void refreshLater() {
    if (refreshQueued.compareAndSet(false, true)) {
      thread.run(
          () -> {
            refreshQueued.set(false); // before reading: a change after this asks again
            refresh();
          });
    }
  }

  private void refresh() {
    if (closed) {
      return;
    }
    for (int tries = 0; tries < 3; tries++) {
      try {
        if (file == null) {
          file = openFile();
        }
        if (file == null) {
          tell(Optional.empty());
        } else {
          tell(Optional.of(file.getContentsAndStat()));
        }
        return;
      } catch (HandleInvalidException deleted) {
        file.close();
        file = null; // try the file of that name again, if there is one
      } catch (TumblerException e) {
        log.warn("could not read {}; keeping the last value", path, e);
        return;
      }
    }
  }

  private Handle openFile() {
    try {
      return client.open(
          path,
          OpenOptions.read()
              .events(EventKind.CONTENTS_MODIFIED)
              .listener(
                  new HandleListener() {
                    @Override
                    public void onEvent(Event event) {
                      refreshLater(); // contents modified, or the file deleted
                    }

                    @Override
                    public void onEventsMayBeLost() {
                      refreshLater();
                    }
                  }));
    } catch (NotFoundException absent) {
      return null;
    }
  }

  private void tell(Optional<NodeContents> value) {
    String key =
        value
            .map(c -> c.stat().instanceNumber() + "/" + c.stat().contentGeneration())
            .orElse("absent");
    if (told && key.equals(toldKey)) {
      return;
    }
    told = true;
    toldKey = key;
    current = value;
    listener.onChange(value);
  }
}
