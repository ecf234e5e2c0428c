package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/** An acceptor's vote: it accepted {@code value} for {@code slot} under {@code ballot}. */
public record AcceptedEntry(long slot, Ballot ballot, Value value) {

  /**
   * Slot, ballot (counter and replica) and the value's command count, as a message carries them.
   */
  public static final int FIXED_SIZE_BYTES = 8 + 8 + 4 + 4;

  /** Each command's length prefix. */
  public static final int PER_COMMAND_BYTES = 4;

  public AcceptedEntry {
    checkArgument(slot >= 1, "slot must be >= 1, was %s", slot);
    checkNotNull(ballot, "ballot");
    checkNotNull(value, "value");
  }

  /** The bytes this vote takes in a message: what a promise page is measured in. */
  public long sizeBytes() {
    return FIXED_SIZE_BYTES
        + (long) PER_COMMAND_BYTES * value.commands().size()
        + value.sizeBytes();
  }
}
