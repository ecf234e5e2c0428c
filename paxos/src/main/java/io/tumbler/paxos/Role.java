package io.tumbler.paxos;

/** What a replica is doing in the election; exportable as a metric by its ordinal. */
public enum Role {
  /** Accepts and learns; watches the master and starts an election when it goes quiet. */
  FOLLOWER,
  /** Running phase 1 with its own ballot; not yet master. */
  CANDIDATE,
  /** Phase 1 done for its ballot: the distinguished proposer (the master). */
  LEADER
}
