package io.tumbler.chaos.history;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The operation each process has outstanding, to pair completions with invokes. A process invokes
 * one operation at a time, and a completion repeats what its invoke asked: anything else is a
 * harness bug, reported where it happens.
 */
final class ProcessTable {

  private final Map<Integer, Event> outstanding = new HashMap<>();

  /**
   * Notes an invoke.
   *
   * @throws IllegalArgumentException if the process already has an operation outstanding
   */
  void invoke(Event invoke) {
    checkArgument(invoke.type() == EventType.INVOKE, "not an invoke: %s", invoke);
    Event previous = outstanding.get(invoke.process());
    checkArgument(
        previous == null,
        "process %s invokes %s while %s (#%s) is outstanding",
        invoke.process(),
        invoke.op().describe(),
        previous == null ? null : previous.op().describe(),
        previous == null ? null : previous.index());
    outstanding.put(invoke.process(), invoke);
  }

  /**
   * Pairs a completion with its invoke.
   *
   * @return the invoke
   * @throws IllegalArgumentException if the process has nothing outstanding, or the completion is
   *     of another operation
   */
  Event complete(Event completion) {
    checkArgument(completion.type().completes(), "not a completion: %s", completion);
    Event invoke = outstanding.get(completion.process());
    checkArgument(
        invoke != null,
        "process %s completes %s but invoked nothing",
        completion.process(),
        completion.op().describe());
    checkArgument(
        invoke.op().equals(completion.op().call()),
        "process %s completes %s but invoked %s (#%s)",
        completion.process(),
        completion.op().describe(),
        invoke.op().describe(),
        invoke.index());
    outstanding.remove(completion.process());
    return invoke;
  }

  /** The invokes not completed yet. */
  Collection<Event> outstanding() {
    return new ArrayList<>(outstanding.values());
  }
}
