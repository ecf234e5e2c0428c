package io.tumbler.lockservice.command;

import com.google.common.collect.ImmutableList;
import java.util.List;

/** What applying one command produced: its result and the events it caused, in order. */
public record Applied(Result result, List<EventDelivery> events) {
  public Applied {
    events = ImmutableList.copyOf(events);
  }
}
