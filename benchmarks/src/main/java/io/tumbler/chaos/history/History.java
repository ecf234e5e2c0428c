package io.tumbler.chaos.history;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A checked history: events in index order, each completion paired with its invoke. Build one with
 * {@link #of} or event by event with a {@link Builder}; both refuse a history whose indices do not
 * increase, whose times go backwards, or whose processes break the invoke/complete protocol.
 */
public final class History {

  private final List<Event> events;
  private final List<Call> calls;

  private History(List<Event> events, List<Call> calls) {
    this.events = List.copyOf(events);
    this.calls = List.copyOf(calls);
  }

  /**
   * The history of {@code events}, in the order given.
   *
   * @throws IllegalArgumentException if they do not form a history
   */
  public static History of(List<Event> events) {
    Builder b = new Builder();
    events.forEach(b::add);
    return b.build();
  }

  /** Every event, in index order. */
  public List<Event> events() {
    return events;
  }

  /**
   * Every operation, in invoke order, with its completion; those never completed count as
   * indeterminate.
   */
  public List<Call> calls() {
    return calls;
  }

  /** Adds events one at a time, checking each as it comes (the reader names the failing line). */
  public static final class Builder {

    private final List<Event> events = new ArrayList<>();
    private final List<Call> calls = new ArrayList<>();
    private final ProcessTable processes = new ProcessTable();
    private Event last;

    /**
     * Appends {@code e}.
     *
     * @throws IllegalArgumentException if it cannot follow the events before it
     */
    public Builder add(Event e) {
      if (last != null) {
        checkArgument(
            e.index() > last.index(), "index %s does not follow index %s", e.index(), last.index());
        checkArgument(
            e.timeNs() >= last.timeNs(),
            "time %s goes back from %s (event #%s)",
            e.timeNs(),
            last.timeNs(),
            last.index());
      }
      if (e.type() == EventType.INVOKE) {
        processes.invoke(e);
      } else {
        Event invoke = processes.complete(e);
        calls.add(
            new Call(
                e.process(),
                invoke.op(),
                e.type(),
                e.op(),
                invoke.index(),
                invoke.timeNs(),
                e.index(),
                e.timeNs()));
      }
      events.add(e);
      last = e;
      return this;
    }

    public History build() {
      List<Call> all = new ArrayList<>(calls);
      for (Event invoke : processes.outstanding()) {
        all.add(
            new Call(
                invoke.process(),
                invoke.op(),
                EventType.INFO,
                invoke.op(),
                invoke.index(),
                invoke.timeNs(),
                Call.NEVER,
                Call.NEVER));
      }
      all.sort(Comparator.comparingLong(Call::invokeIndex));
      return new History(events, all);
    }
  }
}
