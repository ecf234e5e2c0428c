package io.tumbler.lockservice.command;

/**
 * The events a handle can subscribe to at Open. {@link #HANDLE_INVALID} is always delivered, and
 * the acquiring handle always hears of its own {@link #LOCK_ACQUIRED}: both end something the
 * client waits on, so they cannot be optional.
 */
public enum EventKind {
  CONTENTS_MODIFIED,
  CHILD_CHANGED,
  LOCK_ACQUIRED,
  CONFLICTING_LOCK_REQUEST,
  HANDLE_INVALID;

  public int bit() {
    return 1 << ordinal();
  }
}
