package io.tumbler.paxos;

/** A change the driver may want to act on or export: role, lease, epoch. */
public sealed interface Event {

  /** The replica's role changed; {@code epoch} is that of the ballot it now follows or leads. */
  record RoleChanged(Role from, Role to, long epoch) implements Event {}

  /**
   * This replica became master of {@code epoch} and holds the lease until {@code validUntilNanos}
   * on its own clock (renewals extend it without a new event).
   */
  record LeaseAcquired(long epoch, long validUntilNanos) implements Event {}

  /** The master's lease for {@code epoch} ran out or was given up: stop serving reads now. */
  record LeaseLost(long epoch) implements Event {}
}
