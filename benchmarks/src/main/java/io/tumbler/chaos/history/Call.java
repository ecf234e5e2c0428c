package io.tumbler.chaos.history;

/**
 * One operation of a history with both its events: the invoke and the completion. What the checkers
 * work on.
 *
 * <p>An operation whose process never completed it (the history ended first) is indeterminate: its
 * {@code outcome} is {@link EventType#INFO} and its completion index and time are {@link #NEVER}.
 *
 * @param process the client
 * @param invoked the operation as invoked (arguments only)
 * @param outcome ok, fail or info
 * @param completed the operation as completed (arguments and results); {@code invoked} if never
 * @param invokeIndex the invoke event's index
 * @param invokeTimeNs the invoke event's time
 * @param completeIndex the completion event's index, or {@link #NEVER}
 * @param completeTimeNs the completion event's time, or {@link #NEVER}
 */
public record Call(
    int process,
    Operation invoked,
    EventType outcome,
    Operation completed,
    long invokeIndex,
    long invokeTimeNs,
    long completeIndex,
    long completeTimeNs) {

  /** The completion index and time of an operation the history never completed. */
  public static final long NEVER = Long.MAX_VALUE;

  public String key() {
    return invoked.key();
  }

  public Operation.Kind f() {
    return invoked.f();
  }

  /**
   * Whether this operation certainly ended before {@code other} began, so that any linearization
   * must order it first. An indeterminate operation ends at +infinity: it precedes nothing, even
   * once its info completion has been recorded, because it may still take effect.
   */
  public boolean precedes(Call other) {
    return outcome != EventType.INFO && completeIndex < other.invokeIndex;
  }

  /** Where to find it in the history file, and what it did. */
  public String describe() {
    String end = completeIndex == NEVER ? "never completed" : "#" + completeIndex;
    return "p"
        + process
        + " "
        + completed.describe()
        + " ["
        + outcome.jsonName()
        + ", events #"
        + invokeIndex
        + ".."
        + end
        + "]";
  }
}
