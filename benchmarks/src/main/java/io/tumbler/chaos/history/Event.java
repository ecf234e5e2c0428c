package io.tumbler.chaos.history;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One line of a history: process {@code process} invoked or completed {@code op}.
 *
 * @param index the event's position in the history, from 0; real-time order is index order
 * @param timeNs when it was recorded, in nanoseconds of one monotonic clock (never decreasing with
 *     index); for people and for checkers that want durations, not for ordering
 * @param process the client that did it; a client has at most one operation outstanding
 * @param type invoke, or how the operation ended
 * @param op what was asked and, on a completion, what came back
 * @param error on a fail or info, why (a timeout, an error code), or {@code null}
 */
public record Event(
    long index, long timeNs, int process, EventType type, Operation op, String error) {

  public Event {
    checkArgument(index >= 0, "index must be >= 0");
    checkArgument(process >= 0, "process must be >= 0");
    checkArgument(type != null && op != null, "type and op must be set");
    op.checkResultsFit(type);
    checkArgument(
        error == null || type == EventType.FAIL || type == EventType.INFO,
        "only a fail or an info carries an error");
  }

  @Override
  public String toString() {
    return "#"
        + index
        + " p"
        + process
        + " "
        + type.jsonName()
        + " "
        + op.describe()
        + (error == null ? "" : " (" + error + ")");
  }
}
