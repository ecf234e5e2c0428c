package io.tumbler.bench.driver;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One client session of a coordination system, as a benchmark worker uses it: the operations the
 * systems share (write a small value, read it back, acquire and release a named exclusive lock),
 * each blocking until the system has answered. One worker thread per driver, one call at a time; a
 * driver is not shared between threads.
 *
 * <p>Keys and lock names are plain names ({@link #NAME}); each driver maps them into a namespace of
 * its own system. The usual life is {@link #connect}, any number of calls, {@link #close}.
 */
public interface Driver extends AutoCloseable {

  /** What a key or a lock name may be: letters, digits, '-' and '_', 1 to 64 of them. */
  Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /**
   * Opens a session to the cluster whose members listen at {@code addresses} ({@code host:port}
   * each) and returns once the session can serve calls.
   */
  void connect(List<String> addresses) throws Exception;

  /** Replaces the value under {@code key}, creating the key if absent; durable once it returns. */
  void write(String key, byte[] value) throws Exception;

  /** The value under {@code key}, which must have been written before. */
  byte[] read(String key) throws Exception;

  /** Blocks until this session holds the exclusive lock {@code lock}. */
  void acquire(String lock) throws Exception;

  /** Releases the lock {@code lock}, which this session holds. */
  void release(String lock) throws Exception;

  /** Ends the session (releasing what it holds); the driver cannot be used again. */
  @Override
  void close();

  /** Throws {@link IllegalArgumentException} unless {@code name} matches {@link #NAME}. */
  static String checkName(String name) {
    checkArgument(name != null && NAME.matcher(name).matches(), "bad key or lock name: %s", name);
    return name;
  }
}
