package io.tumbler.client.recipes;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException;
import io.tumbler.lockservice.command.LockMode;
import java.time.Duration;
import java.util.Optional;

/**
 * A lock whose every acquisition hands back a {@link Fence}: there is no way to take it without
 * being given the token that resources must check. Why: a lock alone cannot stop a holder that lost
 * it without knowing (a long GC pause, a partition) from writing after the next holder has started;
 * the resource's {@link SequencerChecker} can.
 *
 * <pre>{@code
 * try (FencedLock lock = FencedLock.open(client, "/ls/local/db/shard-7")) {
 *   Fence fence = lock.acquire();
 *   storage.write(key, value, fence.bytes()); // the storage server checks the fence
 *   lock.release();
 * }
 * }</pre>
 *
 * <p>The lock file is created (empty, permanent) if absent. Thread-safe; one holder per instance:
 * acquire again only after release. Closing releases the lock. If the session expires the lock is
 * gone (after the lock-delay others may take it) and every fence handed out becomes stale.
 */
public final class FencedLock implements AutoCloseable {

  private final Handle handle;

  private FencedLock(Handle handle) {
    this.handle = handle;
  }

  /** Opens the lock at {@code path} with the cell's default lock-delay (60 s). */
  public static FencedLock open(TumblerClient client, String path) {
    return new FencedLock(client.open(path, OpenOptions.lock().createIfAbsent()));
  }

  /**
   * Opens the lock at {@code path}; if this session dies holding it, nobody else may take it for
   * {@code lockDelay} (at most 60 s), giving requests sent with the old fence time to drain.
   */
  public static FencedLock open(TumblerClient client, String path, Duration lockDelay) {
    checkArgument(lockDelay != null, "lockDelay must be set");
    return new FencedLock(
        client.open(path, OpenOptions.lock().createIfAbsent().lockDelay(lockDelay)));
  }

  /** The lock's node name. */
  public String path() {
    return handle.path();
  }

  /** Waits as long as it takes for the lock in exclusive mode. */
  public Fence acquire() {
    return acquire(LockMode.EXCLUSIVE);
  }

  public Fence acquire(LockMode mode) {
    handle.acquire(mode);
    return fence();
  }

  /** Waits up to {@code timeout}; empty if the lock was not granted by then. */
  public Optional<Fence> acquire(LockMode mode, Duration timeout) {
    return handle.acquire(mode, timeout) ? Optional.of(fence()) : Optional.empty();
  }

  /** Takes the lock if it is free now (not held, not in lock-delay). */
  public Optional<Fence> tryAcquire(LockMode mode) {
    return handle.tryAcquire(mode) ? Optional.of(fence()) : Optional.empty();
  }

  /** Releases the lock: at once free for the next waiter; fences taken under it become stale. */
  public void release() {
    handle.release();
  }

  /** Closes the handle, releasing the lock if held. */
  @Override
  public void close() {
    handle.close();
  }

  private Fence fence() {
    try {
      return Fence.of(handle.getSequencer());
    } catch (TumblerException e) {
      // Granted but no sequencer: the lock was lost at once (the session expired, the node was
      // deleted). Do not leave a half-held lock behind.
      try {
        handle.release();
      } catch (TumblerException ignored) {
        // not held
      }
      throw e;
    }
  }
}
