package io.tumbler.lockservice.command;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import java.util.List;

/** The answer to one command. */
public sealed interface Result {

  default boolean ok() {
    return !(this instanceof Failure);
  }

  record Failure(ErrorCode code, String detail) implements Result {
    public Failure {
      checkArgument(code != null && detail != null, "code and detail must be set");
    }
  }

  /** Success with nothing to return. */
  record Done() implements Result {}

  record SessionCreated(long session) implements Result {}

  /** {@code path} is the opened name, with the sequence number if create-sequential. */
  record Opened(long handle, String path, boolean created, Stat stat) implements Result {}

  record StatResult(Stat stat) implements Result {}

  record Contents(ByteString contents, Stat stat) implements Result {}

  /** One page of children; {@code more} says another page follows. */
  record DirPage(List<ChildEntry> children, boolean more) implements Result {
    public DirPage {
      children = ImmutableList.copyOf(children);
    }
  }

  record LockGranted(LockMode mode, long lockGeneration) implements Result {}

  /** Queued behind holders or earlier waiters; a LockAcquired event follows the grant. */
  record LockQueued() implements Result {}

  record SequencerResult(ByteString sequencer) implements Result {}

  static Failure failure(ErrorCode code, String format, Object... args) {
    return new Failure(code, String.format(format, args));
  }
}
