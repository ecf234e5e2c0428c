package io.tumbler.cell.admin;

import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.cell.replica.ReplicaStatus;
import io.tumbler.paxos.Role;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a replica is fit to be in service, as {@code /health} reports it: it has not failed and
 * its cell has a master — it holds the master lease itself, or it follows a master it knows. A
 * candidate, a replica that knows no master, and a failed replica are not.
 *
 * @param healthy 200 if true, 503 if not
 * @param body the JSON object: role, epoch, master (an id, or null), appliedIndex, commitIndex,
 *     leaseHeld, phase, and when unhealthy, failure (why)
 */
public record Health(boolean healthy, Map<String, Object> body) {

  public static Health of(ReplicaStatus replica, ServiceStatus service) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (replica == null) {
      body.put("role", null);
      body.put("failure", "starting");
      return new Health(false, body);
    }
    body.put("role", replica.role().name());
    body.put("epoch", replica.epoch());
    body.put("master", replica.leaderHint() >= 0 ? replica.leaderHint() : null);
    body.put("appliedIndex", replica.appliedIndex());
    body.put("commitIndex", replica.commitIndex());
    body.put("leaseHeld", replica.holdsLease());
    body.put("phase", service == null ? null : service.phase());
    Optional<String> problem = problem(replica);
    problem.ifPresent(p -> body.put("failure", p));
    return new Health(problem.isEmpty(), body);
  }

  private static Optional<String> problem(ReplicaStatus replica) {
    if (replica.failure().isPresent()) {
      return replica.failure();
    }
    if (replica.role() == Role.LEADER) {
      return replica.holdsLease()
          ? Optional.empty()
          : Optional.of("leads without a master lease: a majority has not answered");
    }
    if (replica.role() == Role.CANDIDATE) {
      return Optional.of("no master: this replica is running for election");
    }
    return replica.leaderHint() >= 0 ? Optional.empty() : Optional.of("no master known");
  }
}
