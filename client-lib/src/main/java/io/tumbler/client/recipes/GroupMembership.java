package io.tumbler.client.recipes;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedMap;
import io.tumbler.client.Handle;
import io.tumbler.client.HandleListener;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Stat;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is alive: each member is an ephemeral file in a directory, holding the member's data (an
 * address, say). Why ephemeral: the cell deletes a member's file when its session ends, however it
 * ends — closed, crashed, cut off — so the listing is the set of live sessions without anyone
 * having to clean up after the dead.
 *
 * <pre>{@code
 * try (GroupMembership group =
 *     GroupMembership.join(client, "/ls/local/svc/members", "10.0.0.7:8080", members ->
 *         router.setBackends(members.values()))) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Members are named {@code member-<sequence number>} by the cell, so the oldest sorts first. The
 * directory is created (permanent) if absent. The listener gets the whole membership (member file
 * name → data) at start and after every change (members join, leave, change their data), read again
 * from the directory each time, so changes in quick succession may be told as one. After a
 * failover, or when events may have been lost, the directory is read again.
 *
 * <p>If this member's file is deleted by someone else, it joins again under a new name. If the
 * session expires, the member is gone and the listener hears nothing more: build a new client and
 * join again. Thread-safe; the listener runs on the group's own thread.
 */
public final class GroupMembership implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);

  /** The prefix of every member file's name. */
  public static final String MEMBER_PREFIX = "member-";

  /** Told of the whole membership: member file name → data, in name order. */
  @FunctionalInterface
  public interface Listener {
    void onMembersChanged(SortedMap<String, String> members);
  }

  private record Known(long instanceNumber, long contentGeneration, String data) {}

  private final TumblerClient client;
  private final String directoryPath;
  private final String data; // null: only watching
  private final Listener listener;
  private final RecipeThread thread = new RecipeThread("group");
  private final AtomicBoolean refreshQueued = new AtomicBoolean();

  // On the group's thread.
  private Handle directory;
  private Handle self;
  private int selfNumber;
  private final Map<String, Known> known = new HashMap<>();
  private boolean told;
  private boolean closed;

  private volatile SortedMap<String, String> members = ImmutableSortedMap.of();
  private volatile Optional<String> selfName = Optional.empty();

  private GroupMembership(TumblerClient client, String directory, String data, Listener listener) {
    checkArgument(client != null && directory != null && listener != null, "arguments needed");
    this.client = client;
    this.directoryPath = directory;
    this.data = data;
    this.listener = listener;
  }

  /** Joins the group in {@code directory} with {@code data} and watches its members. */
  public static GroupMembership join(
      TumblerClient client, String directory, String data, Listener listener) {
    checkArgument(data != null, "data must be set (it may be empty)");
    return start(new GroupMembership(client, directory, data, listener));
  }

  /** Watches the members of the group in {@code directory} without joining it. */
  public static GroupMembership watch(TumblerClient client, String directory, Listener listener) {
    return start(new GroupMembership(client, directory, null, listener));
  }

  private static GroupMembership start(GroupMembership g) {
    try {
      g.thread.callVoid(g::begin);
    } catch (RuntimeException e) {
      g.close();
      throw e;
    }
    return g;
  }

  /** The members last read: file name → data, in name order. */
  public SortedMap<String, String> members() {
    return members;
  }

  /** This member's file name while joined. */
  public Optional<String> self() {
    return selfName;
  }

  /** Leaves the group (deletes this member's file); keeps watching until {@link #close()}. */
  public void leave() {
    thread.callVoid(this::leave0);
  }

  @Override
  public void close() {
    try {
      thread.callVoid(
          () -> {
            leave0();
            closed = true;
            if (directory != null) {
              directory.close();
            }
          });
    } catch (IllegalStateException alreadyClosed) {
      // closed before
    }
    thread.close();
  }

  // --- on the group's thread ---------------------------------------------------------------------

  private void begin() {
    directory =
        client.open(
            directoryPath,
            OpenOptions.read()
                .createIfAbsent()
                .directory()
                .events(EventKind.CHILD_CHANGED)
                .listener(
                    new HandleListener() {
                      @Override
                      public void onEvent(Event event) {
                        refreshLater();
                      }

                      @Override
                      public void onEventsMayBeLost() {
                        refreshLater();
                      }
                    }));
    if (data != null) {
      joinNow();
    }
    refresh();
  }

  private void joinNow() {
    int number = ++selfNumber;
    self =
        client.open(
            directoryPath + "/" + MEMBER_PREFIX,
            OpenOptions.readWrite()
                .sequential()
                .ephemeral()
                .initialContents(data)
                .listener(
                    event -> {
                      if (event instanceof Event.HandleInvalid) {
                        thread.run(() -> rejoin(number));
                      }
                    }));
    selfName = Optional.of(baseName(self.path()));
  }

  /** Someone deleted this member's file: join again under a new name. */
  private void rejoin(int number) {
    if (closed || self == null || number != selfNumber) {
      return;
    }
    self.close();
    self = null;
    selfName = Optional.empty();
    try {
      joinNow();
    } catch (TumblerException e) {
      log.warn("could not join {} again", directoryPath, e);
    }
  }

  private void leave0() {
    if (self != null) {
      Handle h = self;
      self = null;
      selfName = Optional.empty();
      try {
        h.delete(); // at once, even if another handle of this session has it open
      } catch (TumblerException e) {
        // deleted already, or the session is gone (and with it the file)
      }
      h.close();
    }
  }

  private void refreshLater() {
    if (refreshQueued.compareAndSet(false, true)) {
      thread.run(
          () -> {
            refreshQueued.set(false);
            refresh();
          });
    }
  }

  /** Lists the directory; reads the data of members new or changed since the last listing. */
  private void refresh() {
    if (closed) {
      return;
    }
    TreeMap<String, String> now = new TreeMap<>();
    try {
      for (ChildEntry child : directory.readDir()) {
        Stat stat = child.stat();
        if (stat.kind() != NodeKind.FILE || !child.name().startsWith(MEMBER_PREFIX)) {
          continue;
        }
        Known k = known.get(child.name());
        if (k == null
            || k.instanceNumber() != stat.instanceNumber()
            || k.contentGeneration() != stat.contentGeneration()) {
          k = read(child.name());
          if (k == null) {
            continue; // left meanwhile
          }
          known.put(child.name(), k);
        }
        now.put(child.name(), k.data());
      }
    } catch (TumblerException e) {
      log.warn("could not list {}; keeping the last membership", directoryPath, e);
      return;
    }
    known.keySet().retainAll(now.keySet());
    SortedMap<String, String> next = ImmutableSortedMap.copyOfSorted(now);
    if (!told || !next.equals(members)) {
      told = true;
      members = next;
      listener.onMembersChanged(next);
    }
  }

  private Known read(String child) {
    try (Handle h = client.open(directoryPath + "/" + child, OpenOptions.read())) {
      var c = h.getContentsAndStat();
      return new Known(c.stat().instanceNumber(), c.stat().contentGeneration(), c.text());
    } catch (TumblerException.NotFoundException | TumblerException.HandleInvalidException gone) {
      return null;
    }
  }

  private static String baseName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
