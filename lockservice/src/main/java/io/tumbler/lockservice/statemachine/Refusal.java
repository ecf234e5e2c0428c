package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Result;

/**
 * Unwinds a request handler to its failure result. Thrown only before the handler changes state (a
 * transaction undoes its writes; an elapsed lock-delay settled on the way stays settled, see {@link
 * Locks#acquire}); never escapes the state machine.
 */
final class Refusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final transient Result.Failure failure;

  Refusal(ErrorCode code, String format, Object... args) {
    super(null, null, false, false);
    this.failure = Result.failure(code, format, args);
  }
}
