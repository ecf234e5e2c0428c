package io.tumbler.chaos.cell;

/**
 * What a replica's {@code /health} said (docs/operations.md, "Admin HTTP").
 *
 * @param answered false if the replica did not answer at all (down, paused, starting)
 * @param healthy the endpoint said 200: the replica is in service and knows a master
 * @param role {@code LEADER}, {@code FOLLOWER}, {@code CANDIDATE}, or null
 * @param leaseHeld it is master and holds the master lease
 * @param master the master it believes in, or -1
 * @param epoch the mastership it leads or follows
 * @param phase the master service's phase ({@code SERVING} once a master serves everything)
 */
public record ReplicaHealth(
    boolean answered,
    boolean healthy,
    String role,
    boolean leaseHeld,
    int master,
    long epoch,
    String phase) {

  public static final ReplicaHealth NO_ANSWER =
      new ReplicaHealth(false, false, null, false, -1, 0, null);

  /** A master that holds its lease and serves every operation. */
  public boolean servingMaster() {
    return healthy && "LEADER".equals(role) && leaseHeld && "SERVING".equals(phase);
  }
}
