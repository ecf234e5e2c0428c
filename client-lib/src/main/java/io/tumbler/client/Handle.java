package io.tumbler.client;

import static io.tumbler.client.SessionCore.await;
import static io.tumbler.client.SessionCore.ok;

import com.google.common.collect.ImmutableList;
import io.tumbler.client.TumblerException.HandleInvalidException;
import io.tumbler.client.TumblerException.LockConflictException;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.Stat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * An open handle on one instance of a node: if the node is deleted, every call on the handle fails
 * with {@link HandleInvalidException}, even after a node of the same name is created again. Every
 * call has a synchronous form that throws a {@link TumblerException} and an {@code ...Async} form
 * whose future completes on the client's callback executor.
 *
 * <p>Handles survive a master failover unchanged (the cell replicates them). Thread-safe: calls
 * from several threads are sent in the order they are made.
 */
public final class Handle implements AutoCloseable {

  private final SessionCore core;
  private final Executor callbacks;
  private final long id;
  private final String path;
  private final long instanceNumber;
  private final boolean created;
  private final OpenOptions options;
  private volatile boolean closed;
  private volatile boolean invalid;
  private volatile boolean poisoned;

  /** A handle tied to a sequencer checks it at the master on every call: no cached reads. */
  private volatile boolean sequencerSet;

  Handle(
      SessionCore core,
      Executor callbacks,
      long id,
      String path,
      long instanceNumber,
      boolean created,
      OpenOptions options) {
    this.core = core;
    this.callbacks = callbacks;
    this.id = id;
    this.path = path;
    this.instanceNumber = instanceNumber;
    this.created = created;
    this.options = options;
  }

  /** The node's full name (with its sequence number, if it was created sequential). */
  public String path() {
    return path;
  }

  /** The cell's number for this handle. */
  public long id() {
    return id;
  }

  /** The node instance this handle is bound to. */
  public long instanceNumber() {
    return instanceNumber;
  }

  /** True if opening this handle created the node. */
  public boolean created() {
    return created;
  }

  OpenOptions options() {
    return options;
  }

  void markInvalid() {
    invalid = true;
  }

  // --- reads -------------------------------------------------------------------------------

  /** The whole contents and the metadata; from the cache when it has them. */
  public NodeContents getContentsAndStat() {
    return await(getContentsAndStatAsync0());
  }

  public CompletableFuture<NodeContents> getContentsAndStatAsync() {
    return toCaller(getContentsAndStatAsync0());
  }

  private CompletableFuture<NodeContents> getContentsAndStatAsync0() {
    if (readsFromCache(true)) {
      Optional<NodeContents> cached = core.cache().contents(path, instanceNumber);
      if (cached.isPresent()) {
        return CompletableFuture.completedFuture(cached.get());
      }
    }
    return call(
        new Request.GetContentsAndStat(id),
        r -> {
          Result.Contents c = (Result.Contents) r;
          return new NodeContents(c.contents(), c.stat());
        });
  }

  /** The node's metadata; from the cache when it has it. */
  public Stat getStat() {
    return await(getStatAsync0());
  }

  public CompletableFuture<Stat> getStatAsync() {
    return toCaller(getStatAsync0());
  }

  private CompletableFuture<Stat> getStatAsync0() {
    if (readsFromCache(false)) {
      Optional<Stat> cached = core.cache().stat(path, instanceNumber);
      if (cached.isPresent()) {
        return CompletableFuture.completedFuture(cached.get());
      }
    }
    return call(new Request.GetStat(id), r -> ((Result.StatResult) r).stat());
  }

  /** Every child of this directory with its metadata, in name order (all pages). */
  public List<ChildEntry> readDir() {
    return await(readDirAsync0());
  }

  public CompletableFuture<List<ChildEntry>> readDirAsync() {
    return toCaller(readDirAsync0());
  }

  private CompletableFuture<List<ChildEntry>> readDirAsync0() {
    return readDirFrom("", new ArrayList<>());
  }

  private CompletableFuture<List<ChildEntry>> readDirFrom(String after, List<ChildEntry> sofar) {
    return call(new Request.ReadDir(id, after), r -> (Result.DirPage) r)
        .thenCompose(
            page -> {
              sofar.addAll(page.children());
              if (!page.more() || page.children().isEmpty()) {
                return CompletableFuture.completedFuture(ImmutableList.copyOf(sofar));
              }
              return readDirFrom(page.children().get(page.children().size() - 1).name(), sofar);
            });
  }

  // --- writes ------------------------------------------------------------------------------

  /** Replaces the contents; returns the new metadata. */
  public Stat setContents(ByteString contents) {
    return await(setContentsAsync0(contents, -1));
  }

  public Stat setContents(String utf8) {
    return setContents(ByteString.utf8(utf8));
  }

  /**
   * Replaces the contents only if the content generation is still {@code expectedGeneration}
   * (compare-and-swap); otherwise throws {@link TumblerException.GenerationMismatchException}.
   */
  public Stat setContents(ByteString contents, long expectedGeneration) {
    return await(setContentsAsync0(contents, checkedGeneration(expectedGeneration)));
  }

  public CompletableFuture<Stat> setContentsAsync(ByteString contents) {
    return toCaller(setContentsAsync0(contents, -1));
  }

  public CompletableFuture<Stat> setContentsAsync(ByteString contents, long expectedGeneration) {
    return toCaller(setContentsAsync0(contents, checkedGeneration(expectedGeneration)));
  }

  /** A compare-and-swap names a generation; a negative one would silently mean "any". */
  private static long checkedGeneration(long expectedGeneration) {
    if (expectedGeneration < 0) {
      throw new IllegalArgumentException("expected generation must be zero or more");
    }
    return expectedGeneration;
  }

  private CompletableFuture<Stat> setContentsAsync0(ByteString contents, long expected) {
    if (contents.size() > Limits.DEFAULT_MAX_FILE_BYTES) {
      return CompletableFuture.failedFuture(
          new TumblerException.LimitExceededException(
              ErrorCode.TOO_LARGE,
              String.format(
                  "TOO_LARGE: %d bytes for %s; a file holds at most %d",
                  contents.size(), path, Limits.DEFAULT_MAX_FILE_BYTES)));
    }
    return write(
        new Request.SetContents(id, contents, expected), r -> ((Result.StatResult) r).stat());
  }

  public void setAcl(AclNames acls) {
    await(setAclAsync0(acls));
  }

  public CompletableFuture<Void> setAclAsync(AclNames acls) {
    return toCaller(setAclAsync0(acls));
  }

  private CompletableFuture<Void> setAclAsync0(AclNames acls) {
    return write(new Request.SetAcl(id, acls), r -> null);
  }

  /** Deletes the node (it must have no children); this and every other handle on it go invalid. */
  public void delete() {
    await(deleteAsync0());
  }

  public CompletableFuture<Void> deleteAsync() {
    return toCaller(deleteAsync0());
  }

  private CompletableFuture<Void> deleteAsync0() {
    return write(new Request.Delete(id), r -> null);
  }

  // --- locks -------------------------------------------------------------------------------

  /** Waits as long as it takes for the lock (FIFO behind holders and earlier waiters). */
  public void acquire(LockMode mode) {
    await(acquireAsync0(mode));
  }

  public CompletableFuture<Void> acquireAsync(LockMode mode) {
    return toCaller(acquireAsync0(mode));
  }

  /**
   * Waits up to {@code timeout} for the lock; on timeout withdraws the request (releasing the lock
   * if it was granted meanwhile) and returns false.
   */
  public boolean acquire(LockMode mode, Duration timeout) {
    CompletableFuture<Void> granted = acquireAsync0(mode);
    try {
      granted.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      try {
        release();
      } catch (TumblerException notHeld) {
        // granted and released, or never queued: either way not held now
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      release();
      throw new TumblerException(null, "interrupted while waiting for the lock on " + path);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    }
  }

  private CompletableFuture<Void> acquireAsync0(LockMode mode) {
    CompletableFuture<Void> granted = new CompletableFuture<>();
    if (!usable(granted)) {
      return granted;
    }
    Request.Acquire acquire = new Request.Acquire(id, mode);
    core.call(
            acquire,
            () -> {
              core.dropWrittenPaths(acquire);
              core.acquireSent(id, granted);
            },
            r -> {
              core.acquireAnswered(id, granted, r);
              return null;
            })
        .whenComplete(
            (done, failure) -> {
              if (failure != null) {
                granted.completeExceptionally(unwrap(failure)); // the client closed under it
              }
            });
    return granted;
  }

  /** Takes the lock if it is free now; false if it is held or in its lock-delay. */
  public boolean tryAcquire(LockMode mode) {
    try {
      await(write(new Request.TryAcquire(id, mode), r -> null));
      return true;
    } catch (LockConflictException e) {
      return false;
    }
  }

  public CompletableFuture<Boolean> tryAcquireAsync(LockMode mode) {
    return toCaller(
        write(new Request.TryAcquire(id, mode), r -> true)
            .exceptionally(
                e -> {
                  if (unwrap(e) instanceof LockConflictException) {
                    return false;
                  }
                  throw new CompletionException(unwrap(e));
                }));
  }

  /** Releases the lock, or withdraws a waiting acquire. */
  public void release() {
    await(releaseAsync0());
  }

  public CompletableFuture<Void> releaseAsync() {
    return toCaller(releaseAsync0());
  }

  private CompletableFuture<Void> releaseAsync0() {
    Request.Release release = new Request.Release(id);
    return call(
        release,
        () -> {
          core.dropWrittenPaths(release);
          core.acquireWithdrawn(id);
        },
        r -> null);
  }

  /**
   * The sequencer of the lock this handle holds: opaque bytes to hand to a server the lock
   * protects, which checks them with {@link TumblerClient#checkSequencer} or compares lock
   * generations ({@code io.tumbler.client.recipes.SequencerChecker}).
   */
  public ByteString getSequencer() {
    return await(getSequencerAsync0());
  }

  public CompletableFuture<ByteString> getSequencerAsync() {
    return toCaller(getSequencerAsync0());
  }

  private CompletableFuture<ByteString> getSequencerAsync0() {
    return call(new Request.GetSequencer(id), r -> ((Result.SequencerResult) r).sequencer());
  }

  /** Ties this handle to a sequencer: its later calls fail once the sequencer is not valid. */
  public void setSequencer(ByteString sequencer) {
    await(setSequencerAsync0(sequencer));
  }

  public CompletableFuture<Void> setSequencerAsync(ByteString sequencer) {
    return toCaller(setSequencerAsync0(sequencer));
  }

  private CompletableFuture<Void> setSequencerAsync0(ByteString sequencer) {
    sequencerSet = true;
    return write(new Request.SetSequencer(id, sequencer), r -> null);
  }

  /** True if {@code sequencer} names its lock's current holder (asked of the master). */
  public boolean checkSequencer(ByteString sequencer) {
    return await(core.call(new Request.CheckSequencer(sequencer), TumblerClient::sequencerValid));
  }

  // --- the handle itself ---------------------------------------------------------------------

  /** Makes every outstanding and later call on this handle fail; the handle stays open. */
  public void poison() {
    poisoned = true;
    await(call(new Request.Poison(id), r -> null));
  }

  /**
   * Closes the handle: releases its lock, and deletes the node if it is ephemeral and this was its
   * last handle. Never fails; waits for the master (up to the grace period if the cell is away).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    Request.Close close = new Request.Close(id);
    try {
      await(
          core.call(
              close,
              () -> core.dropWrittenPaths(close),
              r -> {
                core.forget(id);
                return null;
              }));
    } catch (TumblerException e) {
      // closing never fails: an expired session or closed client has no handles left anyway
    }
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public String toString() {
    return "Handle{" + path + " #" + id + (closed ? " closed" : invalid ? " invalid" : "") + "}";
  }

  // --- plumbing ------------------------------------------------------------------------------

  private boolean readsFromCache(boolean needsRead) {
    return !closed
        && !invalid
        && !poisoned
        && !sequencerSet
        && (!needsRead || options.mode().contains(Permission.READ));
  }

  private boolean usable(CompletableFuture<?> fail) {
    if (closed) {
      fail.completeExceptionally(
          new HandleInvalidException(
              ErrorCode.HANDLE_INVALID, "the handle on " + path + " is closed"));
      return false;
    }
    return true;
  }

  private <T> CompletableFuture<T> call(Request request, Function<Result, T> f) {
    return call(request, () -> {}, f);
  }

  private <T> CompletableFuture<T> call(
      Request request, Runnable beforeSend, Function<Result, T> f) {
    CompletableFuture<T> failed = new CompletableFuture<>();
    if (!usable(failed)) {
      return failed;
    }
    return core.call(request, beforeSend, r -> f.apply(ok(r)));
  }

  /** A write drops what it changes from this session's cache before it is sent. */
  private <T> CompletableFuture<T> write(Request request, Function<Result, T> f) {
    return call(request, () -> core.dropWrittenPaths(request), f);
  }

  private <T> CompletableFuture<T> toCaller(CompletableFuture<T> f) {
    return f.whenCompleteAsync((r, e) -> {}, callbacks);
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
