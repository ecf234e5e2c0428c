package io.tumbler.client;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Stat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The client's consistent cache: what the master said about a node — contents and metadata, only
 * metadata, or that it is absent — kept until the master invalidates it. Never updated in place: a
 * write drops the entry.
 *
 * <p>Only the session's thread changes it, in the order the master's messages arrive; application
 * threads read it without locking. A read that finds an entry linearizes before any write that
 * would invalidate it: the master applies such a write only after this client acknowledged the
 * invalidation, which it does after removing the entry.
 */
final class ClientCache {

  /** Entries beyond this are not kept: the client's memory stays bounded whatever it reads. */
  static final int DEFAULT_MAX_ENTRIES = 10_000;

  private sealed interface Entry {}

  private record Absent() implements Entry {}

  /** {@code contents} is null when only the metadata is known. */
  private record Known(Stat stat, ByteString contents) implements Entry {}

  private static final Absent ABSENT = new Absent();

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final int maxEntries;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private volatile boolean enabled = true;
  private volatile BooleanSupplier leaseValid = () -> false;

  ClientCache(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** Entries are served only while {@code leaseValid} says the session's lease runs. */
  void guardWith(BooleanSupplier leaseValid) {
    this.leaseValid = leaseValid;
  }

  private boolean serving() {
    return enabled && leaseValid.getAsBoolean();
  }

  // --- reads, from any thread ----------------------------------------------------------------

  /** The cached contents of {@code path} if they are of node instance {@code instance}. */
  Optional<NodeContents> contents(String path, long instance) {
    Entry e = serving() ? entries.get(path) : null;
    if (e instanceof Known k && k.contents() != null && k.stat().instanceNumber() == instance) {
      hits.increment();
      return Optional.of(new NodeContents(k.contents(), k.stat()));
    }
    misses.increment();
    return Optional.empty();
  }

  Optional<Stat> stat(String path, long instance) {
    Entry e = serving() ? entries.get(path) : null;
    if (e instanceof Known k && k.stat().instanceNumber() == instance) {
      hits.increment();
      return Optional.of(k.stat());
    }
    misses.increment();
    return Optional.empty();
  }

  /** True if the master said {@code path} does not exist and nothing has changed that since. */
  boolean knownAbsent(String path) {
    boolean absent = serving() && entries.get(path) instanceof Absent;
    (absent ? hits : misses).increment();
    return absent;
  }

  CacheStats stats() {
    return new CacheStats(hits.sum(), misses.sum(), entries.size());
  }

  // --- changes, on the session's thread only ---------------------------------------------------

  void rememberContents(String path, NodeContents contents) {
    put(path, new Known(contents.stat(), contents.contents()));
  }

  void rememberStat(String path, Stat stat) {
    Entry e = entries.get(path);
    if (e instanceof Known k && k.stat().equals(stat)) {
      return; // the contents already held go with this metadata
    }
    put(path, new Known(stat, null));
  }

  void rememberAbsent(String path) {
    put(path, ABSENT);
  }

  void invalidate(String path) {
    entries.remove(path);
  }

  void flush() {
    entries.clear();
  }

  /** Empties the cache and keeps it empty until {@link #enable()}: the lease is in doubt. */
  void disable() {
    enabled = false;
    entries.clear();
  }

  void enable() {
    enabled = true;
  }

  private void put(String path, Entry entry) {
    if (enabled && (entries.size() < maxEntries || entries.containsKey(path))) {
      entries.put(path, entry);
    }
  }
}
