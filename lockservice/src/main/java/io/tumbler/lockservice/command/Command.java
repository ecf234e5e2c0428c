package io.tumbler.lockservice.command;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * An entry of the replicated log. Every command carries the master's clock ({@code nowMs}): the
 * state machine never reads one, so every replica computes the same thing.
 */
public sealed interface Command {

  long nowMs();

  /** Creates a session; its id is the log index of this command, so it is unique and replayable. */
  record CreateSession(long nowMs, String principal) implements Command {
    public CreateSession {
      checkArgument(principal != null && !principal.isEmpty(), "principal must be set");
    }
  }

  /**
   * The master decided the session's lease ran out: its handles close, its locks free with the
   * holders' lock-delay, its ephemeral nodes go.
   */
  record ExpireSession(long nowMs, long session) implements Command {}

  /**
   * A numbered client request. {@code ackedThrough}: the client has seen the results of all its
   * requests numbered up to it, so the state machine may forget them.
   */
  record ClientRequest(
      long nowMs, long session, long requestNumber, long ackedThrough, Request request)
      implements Command {
    public ClientRequest {
      checkArgument(request != null, "request must be set");
    }
  }

  /** Lets time pass: waiters of locks whose lock-delay has ended are granted. */
  record Tick(long nowMs) implements Command {}
}
