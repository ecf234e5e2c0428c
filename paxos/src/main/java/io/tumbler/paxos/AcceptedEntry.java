package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/** An acceptor's vote: it accepted {@code value} for {@code slot} under {@code ballot}. */
public record AcceptedEntry(long slot, Ballot ballot, Value value) {

  public AcceptedEntry {
    checkArgument(slot >= 1, "slot must be >= 1, was %s", slot);
    checkNotNull(ballot, "ballot");
    checkNotNull(value, "value");
  }
}
