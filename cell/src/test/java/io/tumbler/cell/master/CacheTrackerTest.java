package io.tumbler.cell.master;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheTrackerTest {

  private static final String PATH = "/ls/local/config";
  private static final long WRITER = 1;

  private final CacheTracker tracker = new CacheTracker(100);
  private final Map<Long, LiveSession> sessions = new HashMap<>();

  private LiveSession session(long id) {
    LiveSession s = new LiveSession(id, "", Long.MAX_VALUE, true);
    sessions.put(id, s);
    return s;
  }

  private PendingWrite write() {
    return tracker.begin(Set.of(PATH), WRITER, sessions::get);
  }

  @Test
  void aWriteWaitsForEveryOtherCacherAndTheWriterIsNotAsked() {
    LiveSession writer = session(WRITER);
    LiveSession reader = session(2);
    assertThat(tracker.track(writer, PATH)).isTrue();
    assertThat(tracker.track(reader, PATH)).isTrue();

    PendingWrite write = write();

    assertThat(write.awaiting).containsOnlyKeys(reader.id);
    assertThat(reader.invalidations).hasSize(1);
    assertThat(tracker.track(reader, PATH)).as("uncachable while the write is under way").isFalse();
    tracker.finish(write);
    assertThat(tracker.track(reader, PATH)).isTrue();
  }

  /**
   * An expiry the proposal queue refuses is undone; the session must then be invalidated by the
   * next write to what it caches again, not taken for a cacher the tracker already knows.
   */
  @Test
  void aSessionWhoseExpiryWasUndoneIsInvalidatedByTheNextWrite() {
    session(WRITER);
    LiveSession reader = session(2);
    assertThat(tracker.track(reader, PATH)).isTrue();

    reader.expiring = true;
    PendingWrite skipped = write();
    assertThat(skipped.awaiting).as("an expiring lease needs no invalidation").isEmpty();
    tracker.finish(skipped);
    reader.expiring = false; // the ExpireSession proposal was refused

    assertThat(tracker.track(reader, PATH)).isTrue();
    PendingWrite next = write();
    assertThat(next.awaiting).containsOnlyKeys(reader.id);
  }
}
