package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/** A slot whose value is chosen: the application applies these in slot order. */
public record ChosenEntry(long slot, Value value) {

  public ChosenEntry {
    checkArgument(slot >= 1, "slot must be >= 1, was %s", slot);
    checkNotNull(value, "value");
  }
}
