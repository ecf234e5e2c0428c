package io.tumbler.chaos.workload;

import io.tumbler.client.TumblerException;
import io.tumbler.lockservice.command.ErrorCode;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * How a failed call ends in the history: {@code fail} only when the cell certainly did not apply
 * it, {@code info} whenever it might have.
 *
 * <p>Only errors the state machine itself decides are definite: the cell applies each request
 * number once and answers a resend with the first result, so such an answer means "applied, and
 * refused". Everything else — a timeout, a lost connection, a session that expired or a client
 * closed while the call was out, an overloaded replica shedding what may be a resend of an applied
 * request — leaves the call indeterminate.
 *
 * @param definite true for a fail, false for an info
 * @param error a short reason for the history
 */
record Outcome(boolean definite, String error) {

  /** Refusals that only come from applying the request (or from the first result of it). */
  static final Set<ErrorCode> DEFINITE =
      EnumSet.of(
          ErrorCode.NOT_FOUND,
          ErrorCode.EXISTS,
          ErrorCode.PERMISSION_DENIED,
          ErrorCode.HANDLE_INVALID,
          ErrorCode.BAD_NAME,
          ErrorCode.NOT_A_FILE,
          ErrorCode.MODE_NOT_GRANTED,
          ErrorCode.TOO_LARGE,
          ErrorCode.BAD_ARGUMENT);

  static Outcome of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof TimeoutException) {
      return new Outcome(false, "timeout");
    }
    if (t instanceof TumblerException e) {
      ErrorCode code = e.code();
      String name = code == null ? e.getClass().getSimpleName() : code.name();
      return new Outcome(code != null && DEFINITE.contains(code), name);
    }
    return new Outcome(false, t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  /** The cause under the wrappers futures add. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof ExecutionException || t instanceof CompletionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Whether the session behind the call is gone: the client must be replaced. */
  static boolean sessionLost(Throwable failure) {
    Throwable t = unwrap(failure);
    return t instanceof TumblerException.SessionExpiredException
        || t instanceof TumblerException.ClientClosedException
        || t instanceof TumblerException.CellUnreachableException;
  }
}
