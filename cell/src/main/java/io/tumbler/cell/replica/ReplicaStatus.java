package io.tumbler.cell.replica;

import io.tumbler.paxos.Role;
import java.util.Optional;

/**
 * A replica's state as other threads (admin page, tests) may see it: a copy published by the
 * applier thread after every step.
 *
 * @param role follower, candidate or leader (master)
 * @param epoch the mastership this replica follows or leads
 * @param leaderHint the master this replica believes in, or -1
 * @param commitIndex highest slot known chosen
 * @param appliedIndex highest slot handed to the application
 * @param holdsLease whether this replica is master with a valid lease at the last step
 * @param failure why the replica stopped (its storage or its applier failed), if it did; a stopped
 *     replica acknowledges nothing and its peers stop hearing from it
 */
public record ReplicaStatus(
    Role role,
    long epoch,
    int leaderHint,
    long commitIndex,
    long appliedIndex,
    boolean holdsLease,
    Optional<String> failure) {}
