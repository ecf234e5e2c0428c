package io.tumbler.lockservice.command;

/** Something a session is told about, after the command that caused it. */
public sealed interface Event {

  EventKind kind();

  record ContentsModified(String path, long contentGeneration) implements Event {
    @Override
    public EventKind kind() {
      return EventKind.CONTENTS_MODIFIED;
    }
  }

  /** {@code change} is what happened to {@code child} of directory {@code path}. */
  record ChildChanged(String path, String child, ChildChange change) implements Event {
    @Override
    public EventKind kind() {
      return EventKind.CHILD_CHANGED;
    }
  }

  record LockAcquired(String path, long acquirer, LockMode mode, long lockGeneration)
      implements Event {
    @Override
    public EventKind kind() {
      return EventKind.LOCK_ACQUIRED;
    }
  }

  /** Told to holders when someone queues for the lock: a caching holder should let go. */
  record ConflictingLockRequest(String path, LockMode requested) implements Event {
    @Override
    public EventKind kind() {
      return EventKind.CONFLICTING_LOCK_REQUEST;
    }
  }

  /** The handle's node instance is gone; every call on the handle fails from now on. */
  record HandleInvalid(String path) implements Event {
    @Override
    public EventKind kind() {
      return EventKind.HANDLE_INVALID;
    }
  }

  enum ChildChange {
    ADDED,
    REMOVED,
    MODIFIED
  }
}
