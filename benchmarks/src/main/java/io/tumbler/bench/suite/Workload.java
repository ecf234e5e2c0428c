package io.tumbler.bench.suite;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The workloads of the side-by-side benchmark; {@link #cliName} is how scripts/bench names them.
 */
public enum Workload {
  /** Each client overwrites a key of its own: SetContents, setData, put. */
  WRITE("write"),
  /** Each client reads its own key through the leader/master: no client cache. */
  READ("read"),
  /** ZooKeeper only: {@code sync} then {@code getData}, its closest to a linearizable read. */
  READ_SYNC("read-sync"),
  /** Tumbler only: repeated reads of a file the client caches under the master's invalidations. */
  READ_CACHED("read-cached"),
  /** N clients, N locks: each client acquires and releases a random one. */
  LOCK_DISTINCT("lock-distinct"),
  /** N clients on one lock: the rate at which it changes hands. */
  LOCK_SAME("lock-same"),
  /** Writers running while the leader/master is killed with SIGKILL: the longest write gap. */
  FAILOVER("failover"),
  /** N idle sessions kept alive: the leader's CPU and memory. */
  SESSIONS("sessions");

  private final String cliName;

  Workload(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
  }

  public static Workload fromCliName(String name) {
    return Arrays.stream(values())
        .filter(w -> w.cliName.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown workload '"
                        + name
                        + "'; known: "
                        + Arrays.stream(values())
                            .map(Workload::cliName)
                            .collect(Collectors.joining(", "))));
  }
}
