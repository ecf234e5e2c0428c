package io.tumbler.cell.master;

/**
 * What the service looked like at its last tick; published for the admin page and metrics, which
 * read it from other threads.
 *
 * @param phase where this replica stands: {@code FOLLOWER}, or a master's failover phase
 * @param sessions sessions in the replicated state
 * @param heldLocks locks held by at least one session
 * @param nodes files and directories
 * @param appliedCommandIndex index of the last lock-service command applied
 * @param connectedClients client connections open on this replica
 * @param pendingInvalidations writes waiting for cache invalidations to be acknowledged
 */
public record ServiceStatus(
    String phase,
    int sessions,
    int heldLocks,
    int nodes,
    long appliedCommandIndex,
    int connectedClients,
    int pendingInvalidations) {

  public static final ServiceStatus STARTING = new ServiceStatus("STARTING", 0, 0, 0, 0, 0, 0);

  /**
   * Whether this replica is a master past its failover steps, serving every request: what a test
   * waits for before it counts a cell as up.
   */
  public boolean serving() {
    return MasterService.Phase.SERVING.name().equals(phase);
  }
}
