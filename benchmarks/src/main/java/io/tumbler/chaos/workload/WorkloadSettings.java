package io.tumbler.chaos.workload;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/**
 * What the clients of a chaos run do.
 *
 * @param registerClients threads doing reads, writes and compare-and-swaps, each with its session
 * @param registerKeys files they share, {@code /ls/<cell>/chaos/r0...}
 * @param lockClients threads taking exclusive locks and writing to fenced resources
 * @param locks locks they share, {@code /ls/<cell>/chaos/lock0...}, each guarding one resource
 * @param opTimeout how long one call may take before it is recorded indeterminate; generous, since
 *     a call waits through a failover, but bounded so a run always ends
 * @param gracePeriod the sessions' grace period; shorter than the default so that a session cut off
 *     for long expires within a run
 * @param lockDelay the lock-delay of every lock handle: short, so an expired holder's lock soon
 *     moves on and stale holders get caught
 * @param stallChance chance that a lock holder stalls, as in a long GC pause, in its critical
 *     section
 * @param stallMax longest such stall
 * @param cacheEntries each client's cache size ({@code TumblerClient.Builder.maxCacheEntries}); 0
 *     turns caching off, which tells a cache bug from a server bug
 */
public record WorkloadSettings(
    int registerClients,
    int registerKeys,
    int lockClients,
    int locks,
    Duration opTimeout,
    Duration gracePeriod,
    Duration lockDelay,
    double stallChance,
    Duration stallMax,
    int cacheEntries) {

  /** The client library's default cache size: the cache is under test too. */
  public static final int DEFAULT_CACHE_ENTRIES = 10_000;

  public WorkloadSettings {
    checkArgument(registerClients >= 0 && lockClients >= 0, "client counts must be >= 0");
    checkArgument(registerClients + lockClients > 0, "at least one client");
    checkArgument(registerKeys >= 1 && locks >= 1, "at least one key and one lock");
    checkArgument(stallChance >= 0 && stallChance <= 1, "stallChance in [0, 1]");
    checkArgument(cacheEntries >= 0, "cacheEntries must be >= 0");
  }

  /**
   * {@code clients} threads, two thirds on registers and the rest on locks; three keys and one
   * lock, so that clients contend, and the lock clients, spread over both client groups, take the
   * lock from each other when the nemesis cuts one group off the master. A fifth of critical
   * sections stall for up to 8 s, longer than a session lease, so a stale holder is likely.
   */
  /** The same with each client's cache holding at most {@code entries} (0: off). */
  public WorkloadSettings withCacheEntries(int entries) {
    return new WorkloadSettings(
        registerClients,
        registerKeys,
        lockClients,
        locks,
        opTimeout,
        gracePeriod,
        lockDelay,
        stallChance,
        stallMax,
        entries);
  }

  public static WorkloadSettings forClients(int clients) {
    int lockClients = Math.max(1, clients / 3);
    return new WorkloadSettings(
        Math.max(1, clients - lockClients),
        3,
        lockClients,
        1,
        Duration.ofSeconds(30),
        Duration.ofSeconds(20),
        Duration.ofSeconds(1),
        0.2,
        Duration.ofSeconds(8),
        DEFAULT_CACHE_ENTRIES);
  }
}
