package io.tumbler.chaos.fencing;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory resource protected by an exclusive lock, for the fault-injection harness: every
 * write carries its writer's sequencer, and the resource decides, by its {@link FenceRule}, whether
 * to accept it. It logs every decision in its own order, which is the record the lock-safety
 * checker proves things about: the resource's order, not the clients' view, is what says whether
 * two holders' critical sections overlapped.
 *
 * <p>Thread-safe: one lock makes each decision and its log entry one step. The first sequencer
 * names the lock that protects the resource; a sequencer of another lock, or a shared one, is a
 * harness bug and is refused with an exception rather than logged.
 */
public final class FencedResource {

  private final String name;
  private final FenceRule rule;
  private final List<ResourceDecision> log = new ArrayList<>();
  private String lockPath;
  private Sequencer newest;
  private String value;

  /** A resource that accepts a sequencer at least as new as the newest it has accepted. */
  public FencedResource(String name) {
    this(name, FenceRule.NEWEST_SEEN);
  }

  public FencedResource(String name, FenceRule rule) {
    checkArgument(name != null && rule != null, "name and rule must be set");
    this.name = name;
    this.rule = rule;
  }

  public String name() {
    return name;
  }

  /**
   * Writes {@code value} if {@code sequencer} passes the rule.
   *
   * @return the decision, with its place in this resource's order
   * @throws IllegalArgumentException if the sequencer is shared or of another lock
   */
  public synchronized ResourceDecision write(int process, Sequencer sequencer, String value) {
    checkArgument(sequencer != null, "a fenced write needs a sequencer");
    checkArgument(
        sequencer.mode() == LockMode.EXCLUSIVE,
        "%s is protected by an exclusive lock, not %s",
        name,
        sequencer);
    if (lockPath == null) {
      lockPath = sequencer.path();
    }
    checkArgument(
        lockPath.equals(sequencer.path()),
        "%s is protected by %s, not %s",
        name,
        lockPath,
        sequencer.path());
    boolean accepted = rule.accepts(newest, sequencer);
    ResourceDecision d =
        new ResourceDecision(name, log.size(), process, sequencer, value, accepted);
    log.add(d);
    if (accepted) {
      this.value = value;
      if (newest == null || FenceOrder.OLDEST_FIRST.compare(sequencer, newest) > 0) {
        newest = sequencer;
      }
    }
    return d;
  }

  /** Every decision so far, in order. */
  public synchronized List<ResourceDecision> log() {
    return List.copyOf(log);
  }

  /** The last value accepted, or {@code null}. */
  public synchronized String value() {
    return value;
  }
}
