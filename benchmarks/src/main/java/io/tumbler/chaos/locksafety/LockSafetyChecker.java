package io.tumbler.chaos.locksafety;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.chaos.fencing.FenceOrder;
import io.tumbler.chaos.fencing.ResourceDecision;
import io.tumbler.chaos.history.Call;
import io.tumbler.chaos.history.EventType;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.Operation;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Proves, from a fenced resource's log, that the holders of the lock protecting it never had
 * overlapping critical sections as the resource saw them, and that the resource refused only stale
 * sequencers:
 *
 * <ol>
 *   <li>once a write with sequencer s has been accepted, no write with an older sequencer is
 *       accepted later ({@link LockViolation.Kind#STALE_WRITE_ACCEPTED});
 *   <li>the accepted writes of one generation come from one process ({@link
 *       LockViolation.Kind#TWO_HOLDERS_ONE_GENERATION});
 *   <li>every rejected write carried a sequencer older than the newest accepted before it ({@link
 *       LockViolation.Kind#CURRENT_SEQUENCER_REJECTED}).
 * </ol>
 *
 * From a history it also checks the lock service's grants, which the resource trusts: no exclusive
 * generation granted twice ({@link LockViolation.Kind#GENERATION_GRANTED_TWICE}), and an
 * acquisition that began after another completed has a newer sequencer ({@link
 * LockViolation.Kind#GENERATION_WENT_BACK}). Pure: no threads, no clock.
 */
public final class LockSafetyChecker {

  /** Checks the resources' decisions recorded in {@code history} and the grants in it. */
  public LockSafetyResult check(History history) {
    List<ResourceDecision> decisions = decisionsIn(history);
    List<LockViolation> violations = new ArrayList<>(resourceViolations(decisions));
    List<Call> grants = grantsIn(history);
    violations.addAll(grantViolations(grants));
    return new LockSafetyResult(violations, decisions.size(), grants.size());
  }

  /** Checks resource logs only ({@link io.tumbler.chaos.fencing.FencedResource#log()}). */
  public LockSafetyResult check(List<ResourceDecision> decisions) {
    return new LockSafetyResult(resourceViolations(decisions), decisions.size(), 0);
  }

  /**
   * The decisions the history's fenced writes report: an ok one was accepted, a fail one rejected,
   * each at its {@code resourceOrder}; an indeterminate one was never decided.
   */
  public static List<ResourceDecision> decisionsIn(History history) {
    List<ResourceDecision> decisions = new ArrayList<>();
    for (Call c : history.calls()) {
      if (c.completed() instanceof Operation.FencedWrite w && w.resourceOrder() != null) {
        decisions.add(
            new ResourceDecision(
                w.key(),
                w.resourceOrder(),
                c.process(),
                w.sequencer(),
                w.value(),
                c.outcome() == EventType.OK));
      }
    }
    return decisions;
  }

  private static List<LockViolation> resourceViolations(List<ResourceDecision> decisions) {
    Map<String, List<ResourceDecision>> byResource = new TreeMap<>();
    for (ResourceDecision d : decisions) {
      byResource.computeIfAbsent(d.resource(), r -> new ArrayList<>()).add(d);
    }
    List<LockViolation> violations = new ArrayList<>();
    byResource.forEach((resource, log) -> checkResource(resource, log, violations));
    return violations;
  }

  private static void checkResource(
      String resource, List<ResourceDecision> log, List<LockViolation> violations) {
    List<ResourceDecision> ordered = new ArrayList<>(log);
    ordered.sort(Comparator.comparingLong(ResourceDecision::order));
    ResourceDecision newest = null;
    Map<Fence, ResourceDecision> firstAccepted = new HashMap<>();
    for (int i = 0; i < ordered.size(); i++) {
      ResourceDecision d = ordered.get(i);
      checkArgument(
          i == 0 || ordered.get(i - 1).order() != d.order(),
          "%s: two decisions at order %s",
          resource,
          d.order());
      boolean olderThanNewest =
          newest != null && FenceOrder.OLDEST_FIRST.compare(d.sequencer(), newest.sequencer()) < 0;
      if (d.accepted()) {
        if (olderThanNewest) {
          violations.add(
              new LockViolation(
                  LockViolation.Kind.STALE_WRITE_ACCEPTED,
                  resource,
                  d.describe() + " after " + newest.describe() + ": two holders overlapped"));
        }
        ResourceDecision holder = firstAccepted.putIfAbsent(Fence.of(d.sequencer()), d);
        if (holder != null && holder.process() != d.process()) {
          violations.add(
              new LockViolation(
                  LockViolation.Kind.TWO_HOLDERS_ONE_GENERATION,
                  resource,
                  d.describe() + ", but " + holder.describe() + ": two holders of one generation"));
        }
        if (newest == null
            || FenceOrder.OLDEST_FIRST.compare(d.sequencer(), newest.sequencer()) > 0) {
          newest = d;
        }
      } else if (!olderThanNewest) {
        violations.add(
            new LockViolation(
                LockViolation.Kind.CURRENT_SEQUENCER_REJECTED,
                resource,
                d.describe()
                    + (newest == null
                        ? " before any write was accepted"
                        : ", yet the newest accepted was " + newest.describe())));
      }
    }
  }

  private static List<Call> grantsIn(History history) {
    List<Call> grants = new ArrayList<>();
    for (Call c : history.calls()) {
      if (c.outcome() == EventType.OK && c.completed() instanceof Operation.Acquire) {
        grants.add(c);
      }
    }
    return grants;
  }

  private static List<LockViolation> grantViolations(List<Call> grants) {
    Map<String, List<Call>> byLock = new TreeMap<>();
    for (Call c : grants) {
      byLock.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
    }
    List<LockViolation> violations = new ArrayList<>();
    byLock.forEach(
        (lock, calls) -> {
          checkGrantedOnce(lock, calls, violations);
          checkGrantsMoveForward(lock, calls, violations);
        });
    return violations;
  }

  /** An exclusive generation belongs to one acquisition; shared holders may share one. */
  private static void checkGrantedOnce(String lock, List<Call> grants, List<LockViolation> out) {
    Map<Fence, Call> first = new HashMap<>();
    for (Call c : grants) {
      Call earlier = first.putIfAbsent(Fence.of(sequencer(c)), c);
      boolean bothShared =
          earlier != null
              && sequencer(c).mode() == LockMode.SHARED
              && sequencer(earlier).mode() == LockMode.SHARED;
      if (earlier != null && !bothShared) {
        out.add(
            new LockViolation(
                LockViolation.Kind.GENERATION_GRANTED_TWICE,
                lock,
                earlier.describe() + " and " + c.describe() + " got one generation"));
      }
    }
  }

  /**
   * An acquisition that began after another completed took the lock later: its sequencer must be
   * newer (or, if both are shared, no older: readers may join a held lock). Sweeps events in index
   * order, keeping the newest sequencer among completed exclusive and shared grants.
   */
  private static void checkGrantsMoveForward(
      String lock, List<Call> grants, List<LockViolation> out) {
    List<Call> byInvoke = new ArrayList<>(grants);
    byInvoke.sort(Comparator.comparingLong(Call::invokeIndex));
    List<Call> byCompletion = new ArrayList<>(grants);
    byCompletion.sort(Comparator.comparingLong(Call::completeIndex));
    Call newestExclusive = null;
    Call newestShared = null;
    int completed = 0;
    for (Call b : byInvoke) {
      while (completed < byCompletion.size()
          && byCompletion.get(completed).completeIndex() < b.invokeIndex()) {
        Call a = byCompletion.get(completed++);
        if (sequencer(a).mode() == LockMode.EXCLUSIVE) {
          newestExclusive = newer(newestExclusive, a);
        } else {
          newestShared = newer(newestShared, a);
        }
      }
      boolean shared = sequencer(b).mode() == LockMode.SHARED;
      Call before = null;
      if (newestExclusive != null && compare(b, newestExclusive) <= 0) {
        before = newestExclusive;
      } else if (newestShared != null
          && (shared ? compare(b, newestShared) < 0 : compare(b, newestShared) <= 0)) {
        before = newestShared;
      }
      if (before != null) {
        out.add(
            new LockViolation(
                LockViolation.Kind.GENERATION_WENT_BACK,
                lock,
                b.describe() + " began after " + before.describe() + " completed"));
      }
    }
  }

  private static Call newer(Call current, Call candidate) {
    return current == null || compare(candidate, current) > 0 ? candidate : current;
  }

  private static int compare(Call a, Call b) {
    return FenceOrder.OLDEST_FIRST.compare(sequencer(a), sequencer(b));
  }

  private static Sequencer sequencer(Call grant) {
    return ((Operation.Acquire) grant.completed()).sequencer();
  }

  /** A sequencer's place in the lock's history, its mode and path aside. */
  private record Fence(long instanceNumber, long lockGeneration) {
    static Fence of(Sequencer s) {
      return new Fence(s.instanceNumber(), s.lockGeneration());
    }
  }
}
