package io.tumbler.bench.driver;

import static com.google.common.base.Preconditions.checkState;

import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.LockMode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Driver} on {@link TumblerClient}: keys are files under {@code /ls/local/bench/}, locks are
 * files under {@code /ls/local/bench-locks/}. A handle stays open per key and per lock, so a call
 * is one request to the master (as an application holding its handles would do).
 */
public final class TumblerDriver implements Driver {

  static final String KEYS_DIR = "/ls/local/bench";
  static final String LOCKS_DIR = "/ls/local/bench-locks";

  /** The cache size of a {@link #cached} driver: the client's default. */
  static final int CACHE_ENTRIES = 10_000;

  private final int maxCacheEntries;
  private final Map<String, Handle> files = new HashMap<>();
  private final Map<String, Handle> readers = new HashMap<>();
  private final Map<String, Handle> locks = new HashMap<>();
  private TumblerClient client;

  /**
   * @param maxCacheEntries the client cache's size; 0 sends every read to the master
   */
  public TumblerDriver(int maxCacheEntries) {
    this.maxCacheEntries = maxCacheEntries;
  }

  /** A driver whose reads all go to the master (no client cache). */
  public static TumblerDriver uncached() {
    return new TumblerDriver(0);
  }

  /**
   * A driver whose reads go through the client cache: {@link #read} uses a read-only handle, whose
   * answers the client caches until the master invalidates them.
   */
  public static TumblerDriver cached() {
    return new TumblerDriver(CACHE_ENTRIES);
  }

  @Override
  public void connect(List<String> addresses) {
    checkState(client == null, "already connected");
    client =
        TumblerClient.builder()
            .cell(String.join(",", addresses))
            .maxCacheEntries(maxCacheEntries)
            .build();
    client.open(KEYS_DIR, OpenOptions.readWrite().directory()).close();
    client.open(LOCKS_DIR, OpenOptions.readWrite().directory()).close();
  }

  @Override
  public void write(String key, byte[] value) {
    file(key).setContents(ByteString.copyOf(value));
  }

  @Override
  public byte[] read(String key) {
    return reader(key).getContentsAndStat().bytes();
  }

  @Override
  public void acquire(String lock) {
    lock(lock).acquire(LockMode.EXCLUSIVE);
  }

  @Override
  public void release(String lock) {
    lock(lock).release();
  }

  @Override
  public void close() {
    if (client != null) {
      client.close(); // ends the session: its handles close and its locks are released
    }
  }

  private Handle file(String key) {
    checkState(client != null, "not connected");
    return files.computeIfAbsent(
        Driver.checkName(key),
        k -> client.open(KEYS_DIR + "/" + k, OpenOptions.readWrite().createIfAbsent()));
  }

  /** Only a read-only handle's reads are cached (a writer's may be answered before its write). */
  private Handle reader(String key) {
    checkState(client != null, "not connected");
    if (maxCacheEntries == 0) {
      return file(key);
    }
    return readers.computeIfAbsent(
        Driver.checkName(key), k -> client.open(KEYS_DIR + "/" + k, OpenOptions.read()));
  }

  private Handle lock(String name) {
    checkState(client != null, "not connected");
    return locks.computeIfAbsent(
        Driver.checkName(name),
        n -> client.open(LOCKS_DIR + "/" + n, OpenOptions.lock().createIfAbsent()));
  }
}
