package io.tumbler.chaos.workload;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out history process ids. A worker takes a new one whenever its last operation ended
 * indeterminate or its session was replaced: the old process may still have a call in flight, and a
 * process has at most one operation outstanding.
 */
public final class ProcessIds {

  private final AtomicInteger next = new AtomicInteger();

  public int next() {
    return next.getAndIncrement();
  }

  /** How many were handed out. */
  public int count() {
    return next.get();
  }
}
