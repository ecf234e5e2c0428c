package io.tumbler.chaos.fencing;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.lockservice.lock.Sequencer;

/**
 * What a fenced resource decided about one write, in its own order: the log the lock-safety checker
 * reads.
 *
 * @param resource the resource's name
 * @param order the decision's place in the resource's order, from 0
 * @param process the writer
 * @param sequencer the sequencer the write carried
 * @param value what it wrote (or would have)
 * @param accepted whether the resource took it; if not, it refused the sequencer as stale
 */
public record ResourceDecision(
    String resource, long order, int process, Sequencer sequencer, String value, boolean accepted) {

  public ResourceDecision {
    checkArgument(resource != null && sequencer != null, "resource and sequencer must be set");
    checkArgument(order >= 0, "order must be >= 0");
  }

  /** One line for a report. */
  public String describe() {
    return resource
        + " order "
        + order
        + ": p"
        + process
        + "'s write with "
        + FenceOrder.describe(sequencer)
        + (accepted ? " accepted" : " rejected");
  }
}
