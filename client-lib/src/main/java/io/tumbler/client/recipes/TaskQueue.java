package io.tumbler.client.recipes;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import io.tumbler.client.Handle;
import io.tumbler.client.HandleListener;
import io.tumbler.client.NodeContents;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException;
import io.tumbler.client.TumblerException.HandleInvalidException;
import io.tumbler.client.TumblerException.NotFoundException;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.NodeKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Work handed out through a directory: producers {@link #add} tasks as sequential files (so they
 * are taken oldest first); a worker claims one by taking its lock with TryAcquire, processes it,
 * and {@linkplain Task#complete() completes} it, which deletes the file. Why locks and not a
 * "claimed" mark in the file: a worker that dies holding a task needs no one to clean up — its
 * session ends, its lock is freed after the queue's lock-delay, and another worker claims the task.
 *
 * <pre>{@code
 * try (TaskQueue queue = TaskQueue.builder(client, "/ls/local/jobs/queue")
 *     .lockDelay(Duration.ofSeconds(10)).open()) {
 *   queue.add("resize image 42");                      // a producer
 *   Optional<TaskQueue.Task> task = queue.claim(Duration.ofSeconds(30)); // a worker
 *   task.ifPresent(t -> { process(t.text(), t.fence()); t.complete(); });
 * }
 * }</pre>
 *
 * <p><b>Lock-delay</b> is how long a dead worker's task stays unclaimable: long enough for whatever
 * the dead worker had started to stop (default: the cell's, 60 s; a queue whose work is fenced with
 * {@link Task#fence()} can use less). A worker that stops cleanly ({@link Task#abandon()}, or
 * closes its client) frees its task at once. A task is processed at least once: a worker that dies
 * after finishing but before completing leaves it to be done again.
 *
 * <p>Finding a free task lists the directory and tries the tasks in order, so a claim costs a round
 * trip per task held by others: meant for queues of up to hundreds of tasks, as Chubby is for
 * coarse-grained work. Thread-safe: many threads may claim from one queue.
 */
public final class TaskQueue implements AutoCloseable {

  /** The prefix of every task file's name. */
  public static final String TASK_PREFIX = "task-";

  private final TumblerClient client;
  private final String directoryPath;
  private final Duration lockDelay;
  private final Duration rescanInterval;
  private final Handle directory;
  private final Object changed = new Object();
  private long changes; // guarded by changed
  private volatile boolean closed;

  private TaskQueue(Builder b) {
    this.client = b.client;
    this.directoryPath = b.path;
    this.lockDelay = b.lockDelay;
    this.rescanInterval = b.rescanInterval;
    this.directory =
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
                        if (event instanceof Event.ChildChanged c
                            && c.change() == Event.ChildChange.ADDED) {
                          wake();
                        }
                      }

                      @Override
                      public void onEventsMayBeLost() {
                        wake();
                      }
                    }));
  }

  public static Builder builder(TumblerClient client, String directory) {
    return new Builder(client, directory);
  }

  /** Adds a task; returns its file's full name. */
  public String add(ByteString payload) {
    checkState(!closed, "the queue is closed");
    try (Handle h =
        client.open(
            directoryPath + "/" + TASK_PREFIX,
            OpenOptions.read().sequential().initialContents(payload))) {
      return h.path();
    }
  }

  public String add(String utf8) {
    return add(ByteString.utf8(utf8));
  }

  /** The names of the tasks not completed yet (claimed or not), oldest first. */
  public List<String> tasks() {
    return directory.readDir().stream()
        .filter(c -> c.stat().kind() == NodeKind.FILE && c.name().startsWith(TASK_PREFIX))
        .map(ChildEntry::name)
        .collect(ImmutableList.toImmutableList());
  }

  /** Claims the oldest task nobody holds, if there is one now. */
  public Optional<Task> tryClaim() {
    checkState(!closed, "the queue is closed");
    for (String name : tasks()) {
      Optional<Task> task = tryClaim(directoryPath + "/" + name);
      if (task.isPresent()) {
        return task;
      }
    }
    return Optional.empty();
  }

  /**
   * Claims the oldest free task, waiting up to {@code timeout} for one: woken when a task is added,
   * and looking again every rescan interval (a dead worker's task becomes free when its lock-delay
   * ends, which no event tells).
   */
  public Optional<Task> claim(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long seen;
      synchronized (changed) {
        seen = changes;
      }
      Optional<Task> task = tryClaim();
      if (task.isPresent()) {
        return task;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      long waitNanos = Math.min(left, rescanInterval.toNanos());
      synchronized (changed) {
        long until = System.nanoTime() + waitNanos;
        while (changes == seen && !closed) {
          long rest = until - System.nanoTime();
          if (rest <= 0) {
            break;
          }
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(changed, rest);
        }
      }
      checkState(!closed, "the queue is closed");
    }
  }

  /** Closes the queue's directory handle; tasks claimed through it stay claimed until done. */
  @Override
  public void close() {
    closed = true;
    wake();
    directory.close();
  }

  private void wake() {
    synchronized (changed) {
      changes++;
      changed.notifyAll();
    }
  }

  private Optional<Task> tryClaim(String path) {
    Handle h;
    try {
      OpenOptions lock = OpenOptions.lock();
      h = client.open(path, lockDelay == null ? lock : lock.lockDelay(lockDelay));
    } catch (NotFoundException completed) {
      return Optional.empty();
    }
    try {
      if (!h.tryAcquire(LockMode.EXCLUSIVE)) {
        h.close();
        return Optional.empty();
      }
      ByteString sequencer = h.getSequencer();
      h.setSequencer(sequencer); // from now on the handle works only while we hold the lock
      NodeContents payload = h.getContentsAndStat();
      return Optional.of(new Task(h, Fence.of(sequencer), payload));
    } catch (HandleInvalidException completed) {
      h.close();
      return Optional.empty();
    } catch (RuntimeException e) {
      h.close();
      throw e;
    }
  }

  /**
   * A claimed task: held by this worker until {@link #complete()} or {@link #abandon()}. Send
   * {@link #fence()} with the task's effects where the resource can check it.
   */
  public static final class Task implements AutoCloseable {
    private final Handle handle;
    private final Fence fence;
    private final NodeContents payload;
    private boolean done; // guarded by this

    private Task(Handle handle, Fence fence, NodeContents payload) {
      this.handle = handle;
      this.fence = fence;
      this.payload = payload;
    }

    /** The task file's full name. */
    public String path() {
      return handle.path();
    }

    public ByteString payload() {
      return payload.contents();
    }

    public String text() {
      return payload.text();
    }

    /** Proof of the claim, for resources the task writes to. */
    public Fence fence() {
      return fence;
    }

    /**
     * Deletes the task: it is done. Fails ({@link TumblerException}) if this worker no longer holds
     * it — its session expired and another worker may have claimed it — so the task is not lost.
     */
    public synchronized void complete() {
      checkState(!done, "the task is completed or abandoned");
      try {
        handle.delete(); // refused unless the claim's sequencer is still valid
        done = true;
      } finally {
        handle.close();
      }
    }

    /** Gives the task back: another worker may claim it at once. */
    public synchronized void abandon() {
      if (!done) {
        done = true;
        handle.close(); // releases the lock, with no lock-delay
      }
    }

    /** Abandons the task unless it was completed. */
    @Override
    public void close() {
      abandon();
    }
  }

  /** Configures a queue. */
  public static final class Builder {
    private final TumblerClient client;
    private final String path;
    private Duration lockDelay;
    private Duration rescanInterval = Duration.ofSeconds(1);

    private Builder(TumblerClient client, String path) {
      checkArgument(client != null && path != null, "client and path must be set");
      this.client = client;
      this.path = path;
    }

    /** How long a dead worker's task stays unclaimable (at most 60 s; default the cell's, 60 s). */
    public Builder lockDelay(Duration lockDelay) {
      checkArgument(
          lockDelay != null && !lockDelay.isNegative() && lockDelay.getSeconds() <= 60,
          "lock-delay must be in [0, 60 s]");
      this.lockDelay = lockDelay;
      return this;
    }

    /** How often a waiting {@link #claim} lists the queue again with no event (default 1 s). */
    public Builder rescanInterval(Duration interval) {
      checkArgument(interval != null && !interval.isNegative() && !interval.isZero(), "> 0");
      this.rescanInterval = interval;
      return this;
    }

    /** Opens the queue, creating its directory (permanent) if absent. */
    public TaskQueue open() {
      return new TaskQueue(this);
    }
  }
}
