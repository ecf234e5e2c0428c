package io.tumbler.cell.master;

import io.tumbler.lockservice.protocol.Message;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Which sessions may cache which nodes, and which nodes are uncachable because a write to them is
 * in progress. The rule it keeps (CHUBBY.md, caching): a write is proposed only after every session
 * that may cache a node it changes has acknowledged an invalidation (or lost its lease), and while
 * that is under way, and until the write is applied, nobody may cache the node.
 */
final class CacheTracker {

  private final int maxEntriesPerSession;
  private final Map<String, Set<Long>> cachersByPath = new HashMap<>();
  private final Map<String, Integer> writesInProgress = new HashMap<>();

  CacheTracker(int maxEntriesPerSession) {
    this.maxEntriesPerSession = maxEntriesPerSession;
  }

  /**
   * Records that {@code session} may cache {@code path}, if it may: not while a write to the node
   * is in progress, and not beyond the per-session limit.
   *
   * @return whether the answer may be marked cachable
   */
  boolean track(LiveSession session, String path) {
    if (writesInProgress.containsKey(path)) {
      return false;
    }
    if (session.cached.contains(path)) {
      return true;
    }
    if (session.cached.size() >= maxEntriesPerSession) {
      return false;
    }
    session.cached.add(path);
    cachersByPath.computeIfAbsent(path, p -> new HashSet<>()).add(session.id);
    return true;
  }

  /**
   * Starts a write to {@code paths}: they become uncachable, and every session that may cache one
   * other than {@code writer} is sent an invalidation which the write then waits for.
   */
  PendingWrite begin(Set<String> paths, long writer, LongFunction<LiveSession> sessions) {
    PendingWrite write = new PendingWrite(paths);
    for (String path : paths) {
      writesInProgress.merge(path, 1, Integer::sum);
      Set<Long> cachers = cachersByPath.remove(path);
      if (cachers == null) {
        continue;
      }
      for (long id : cachers) {
        LiveSession cacher = sessions.apply(id);
        if (cacher == null) {
          continue;
        }
        // Forgotten here even by an expiring session: an expiry the proposal queue refuses is
        // undone, and a session that still listed the path would be taken as a known cacher by
        // track() without being one, so the next write would not invalidate it.
        cacher.cached.remove(path);
        if (id == writer || cacher.expiring) {
          continue; // the writer drops its own entries; an expiring lease needs no invalidation
        }
        long number = cacher.nextInvalidationNumber++;
        cacher.invalidations.add(new Message.Invalidation(number, path));
        write.awaiting.merge(id, number, Math::max);
      }
    }
    return write;
  }

  /** The write was applied (or dropped): its nodes may be cached again. */
  void finish(PendingWrite write) {
    for (String path : write.paths) {
      writesInProgress.computeIfPresent(path, (p, n) -> n == 1 ? null : n - 1);
    }
  }

  /** The session is gone: it caches nothing any more. */
  void forget(LiveSession session) {
    for (String path : session.cached) {
      Set<Long> cachers = cachersByPath.get(path);
      if (cachers != null) {
        cachers.remove(session.id);
        if (cachers.isEmpty()) {
          cachersByPath.remove(path);
        }
      }
    }
    session.cached.clear();
  }

  /** Nodes a write is under way to. */
  int nodesBeingWritten() {
    return writesInProgress.size();
  }
}
