package io.tumbler.lockservice.command;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Sets;
import java.util.List;
import java.util.Set;

/** What a client asks of its session. Every call except Open and CheckSequencer names a handle. */
public sealed interface Request {

  /** Requests that change nothing, which a master may answer from memory. */
  default boolean readOnly() {
    return this instanceof GetContentsAndStat
        || this instanceof GetStat
        || this instanceof ReadDir
        || this instanceof CheckSequencer
        || this instanceof GetSequencer;
  }

  /**
   * Opens a handle on {@code path}. {@code lockDelayMs} of 0 or less means the default.
   *
   * @param mode permissions asked for; the call fails unless the ACLs grant them all
   */
  record Open(
      String path,
      Set<Permission> mode,
      Set<EventKind> events,
      long lockDelayMs,
      CreateOptions create)
      implements Request {
    public Open {
      checkArgument(path != null && create != null, "path and create options must be set");
      mode = Sets.immutableEnumSet(mode);
      events = Sets.immutableEnumSet(events);
    }
  }

  /** Never fails: closing an unknown or invalid handle is a no-op. */
  record Close(long handle) implements Request {}

  /** Calls on the handle fail from now on; the handle stays open until closed. */
  record Poison(long handle) implements Request {}

  record GetContentsAndStat(long handle) implements Request {}

  record GetStat(long handle) implements Request {}

  /** Children in name order after {@code startAfter} (empty for the first page). */
  record ReadDir(long handle, String startAfter) implements Request {
    public ReadDir {
      checkArgument(startAfter != null, "startAfter must be set");
    }
  }

  /** Replaces the contents; with {@code expectedContentGeneration >= 0}, only if it matches. */
  record SetContents(long handle, ByteString contents, long expectedContentGeneration)
      implements Request {
    public SetContents {
      checkArgument(contents != null, "contents must be set");
    }
  }

  record SetAcl(long handle, AclNames acls) implements Request {
    public SetAcl {
      checkArgument(acls != null, "acls must be set");
    }
  }

  record Delete(long handle) implements Request {}

  /** Takes the lock, or queues behind the holders and earlier waiters (FIFO). */
  record Acquire(long handle, LockMode mode) implements Request {
    public Acquire {
      checkArgument(mode != null, "mode must be set");
    }
  }

  /** Takes the lock now or fails with LOCK_CONFLICT / LOCK_DELAY; never queues. */
  record TryAcquire(long handle, LockMode mode) implements Request {
    public TryAcquire {
      checkArgument(mode != null, "mode must be set");
    }
  }

  /** Releases the lock held through this handle, or withdraws its queued Acquire. */
  record Release(long handle) implements Request {}

  record GetSequencer(long handle) implements Request {}

  /** Ties the handle to a sequencer: later calls on it fail once the sequencer is invalid. */
  record SetSequencer(long handle, ByteString sequencer) implements Request {
    public SetSequencer {
      checkArgument(sequencer != null, "sequencer must be set");
    }
  }

  record CheckSequencer(ByteString sequencer) implements Request {
    public CheckSequencer {
      checkArgument(sequencer != null, "sequencer must be set");
    }
  }

  /** Checks then writes, all applied or none; ops name nodes by path, not by handle. */
  record Transaction(List<TxnOp> ops) implements Request {
    public Transaction {
      ops = ImmutableList.copyOf(ops);
    }
  }

  /** Ends the session: closes every handle, as when it expires but without lock-delay. */
  record EndSession() implements Request {}
}
