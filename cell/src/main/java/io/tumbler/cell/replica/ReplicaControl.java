package io.tumbler.cell.replica;

import io.tumbler.paxos.Command;
import io.tumbler.paxos.Role;

/**
 * What the application may ask of the replica that drives it. Only on the applier thread: these
 * read the core's state directly.
 */
public interface ReplicaControl {

  int replicaId();

  Role role();

  /** The epoch of the ballot this replica leads or follows. */
  long epoch();

  /** The replica believed to be master (this one if it leads), or -1 if none is known. */
  int masterId();

  /**
   * True only while this replica is master and its master lease holds: while it does, no other
   * replica can be master, so it may extend session leases.
   */
  boolean holdsLease(long nowNanos);

  /**
   * True only while this replica is master, its lease holds and it has applied everything chosen
   * before its mastership: reads may be answered from memory.
   */
  boolean canServeReads(long nowNanos);

  /**
   * Queues {@code command} for proposal once the current step is done, so that commands from many
   * clients share slots. Only the master takes them; the others come back through {@link
   * ReplicatedApplication#refused}.
   */
  void propose(Command command);
}
