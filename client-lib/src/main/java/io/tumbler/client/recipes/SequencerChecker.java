package io.tumbler.client.recipes;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException.InvalidSequencerException;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * What a resource server runs on every request that carries a {@link Fence}, before acting on it:
 * it refuses the request unless its sender still held (or was the latest to hold) the lock that
 * protects the resource. Without it a lock gives no safety against a holder that lost its lock
 * without noticing.
 *
 * <p>{@link #check} throws rather than returning a boolean so that a refusal cannot be ignored by
 * accident. Two kinds:
 *
 * <ul>
 *   <li>{@link #viaCell(TumblerClient)}: asks the master (CheckSequencer) whether the sender holds
 *       the lock now. Exact, one round trip per check; the resource server needs a session.
 *   <li>{@link #monotonic()}: remembers the newest fence seen per lock and refuses older ones. No
 *       round trip and no session; but it accepts a holder whose lock has lapsed as long as no
 *       newer holder has reached this server, so use it where every write carries a fence and the
 *       lock's lock-delay covers requests still in flight (Chubby's "compare with the newest
 *       seen").
 * </ul>
 */
public interface SequencerChecker {

  /**
   * Checks that {@code sequencer} is a fence of the lock {@code lockPath} good enough to act on.
   *
   * @param lockPath the lock that protects the resource asked for ({@code /ls/local/...} matches
   *     the lock's cell whatever its name): a valid fence of another lock is refused too
   * @return the fence, for logging or storing with the write
   * @throws InvalidSequencerException if the request must be refused
   */
  Fence check(String lockPath, ByteString sequencer);

  /** A checker that asks the master on every check. */
  static SequencerChecker viaCell(TumblerClient client) {
    checkArgument(client != null, "client must be set");
    return (lockPath, sequencer) -> {
      Fence fence = decodeFor(lockPath, sequencer);
      if (!client.checkSequencer(sequencer)) {
        throw new InvalidSequencerException(
            "INVALID_SEQUENCER: " + fence + " no longer names the holder of " + lockPath);
      }
      return fence;
    };
  }

  /** A checker that keeps the newest fence seen per lock; see {@link Monotonic}. */
  static Monotonic monotonic() {
    return new Monotonic();
  }

  /**
   * Keeps, per lock name, the newest (node instance, lock generation) seen, and refuses a fence
   * older than it: once a new holder has been here, the previous one is shut out. Shared holders of
   * the same generation are all accepted. Thread-safe; the check and the update are one atomic
   * step. Memory grows with the number of distinct locks seen.
   */
  final class Monotonic implements SequencerChecker {

    private record Newest(long instanceNumber, long lockGeneration) {
      boolean olderThan(Sequencer s) {
        return instanceNumber < s.instanceNumber()
            || (instanceNumber == s.instanceNumber() && lockGeneration <= s.lockGeneration());
      }
    }

    private final ConcurrentMap<String, Newest> newest = new ConcurrentHashMap<>();

    private Monotonic() {}

    @Override
    public Fence check(String lockPath, ByteString sequencer) {
      Fence fence = decodeFor(lockPath, sequencer);
      Sequencer s = fence.sequencer();
      boolean[] accepted = {false};
      newest.compute(
          s.path(),
          (path, seen) -> {
            if (seen == null || seen.olderThan(s)) {
              accepted[0] = true;
              return new Newest(s.instanceNumber(), s.lockGeneration());
            }
            return seen;
          });
      if (!accepted[0]) {
        throw new InvalidSequencerException(
            "INVALID_SEQUENCER: "
                + fence
                + " is older than the newest fence seen for "
                + s.path()
                + ": "
                + newest.get(s.path()));
      }
      return fence;
    }

    /** The newest lock generation seen for {@code lockPath} (its full name), if any. */
    public Optional<Long> newestGeneration(String lockPath) {
      return Optional.ofNullable(newest.get(lockPath)).map(Newest::lockGeneration);
    }
  }

  /** The fence in {@code sequencer} if it is well formed and of {@code lockPath}. */
  private static Fence decodeFor(String lockPath, ByteString sequencer) {
    checkArgument(lockPath != null, "lockPath must be set");
    if (sequencer == null) {
      throw new InvalidSequencerException("INVALID_SEQUENCER: the request carries no fence");
    }
    Fence fence;
    try {
      fence = Fence.of(sequencer);
    } catch (IllegalArgumentException e) {
      throw new InvalidSequencerException("INVALID_SEQUENCER: malformed sequencer");
    }
    if (!sameLock(lockPath, fence.path())) {
      throw new InvalidSequencerException(
          "INVALID_SEQUENCER: " + fence + " is not a fence of " + lockPath);
    }
    return fence;
  }

  /** Whether two names are the same node, {@code /ls/local/} standing for any cell. */
  private static boolean sameLock(String expected, String actual) {
    if (expected.equals(actual)) {
      return true;
    }
    String[] e = expected.split("/", 4); // "", "ls", cell, rest
    String[] a = actual.split("/", 4);
    return e.length == 4
        && a.length == 4
        && e[2].equals("local")
        && e[1].equals(a[1])
        && e[3].equals(a[3]);
  }
}
