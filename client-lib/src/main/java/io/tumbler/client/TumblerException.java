package io.tumbler.client;

import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Result;

/**
 * A call failed. {@link #code()} is the cell's error code; the subclasses name the failures an
 * application usually handles differently, so it can catch exactly those. Failures the client
 * detects by itself — the client is closed, no master could be reached — have their own subclasses
 * and a null code.
 */
public class TumblerException extends RuntimeException {

  private final ErrorCode code;

  public TumblerException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** The cell's error code, or null for a failure the client detected itself. */
  public ErrorCode code() {
    return code;
  }

  /** The exception for a failed result, of the subclass that names its code. */
  public static TumblerException of(Result.Failure failure) {
    String message = failure.code() + ": " + failure.detail();
    return switch (failure.code()) {
      case NOT_FOUND -> new NotFoundException(message);
      case EXISTS -> new NodeExistsException(message);
      case PERMISSION_DENIED -> new PermissionDeniedException(message);
      case GENERATION_MISMATCH -> new GenerationMismatchException(message);
      case LOCK_CONFLICT, LOCK_DELAY -> new LockConflictException(failure.code(), message);
      case HANDLE_INVALID, POISONED -> new HandleInvalidException(failure.code(), message);
      case SESSION_EXPIRED -> new SessionExpiredException(message);
      case INVALID_SEQUENCER -> new InvalidSequencerException(message);
      case BAD_NAME -> new BadNameException(message);
      case TOO_LARGE, LIMIT_EXCEEDED -> new LimitExceededException(failure.code(), message);
      default -> new TumblerException(failure.code(), message);
    };
  }

  /** The node does not exist (or its parent does not, for a create). */
  public static final class NotFoundException extends TumblerException {
    public NotFoundException(String message) {
      super(ErrorCode.NOT_FOUND, message);
    }
  }

  /** A must-create open found the node already there. */
  public static final class NodeExistsException extends TumblerException {
    public NodeExistsException(String message) {
      super(ErrorCode.EXISTS, message);
    }
  }

  public static final class PermissionDeniedException extends TumblerException {
    public PermissionDeniedException(String message) {
      super(ErrorCode.PERMISSION_DENIED, message);
    }
  }

  /** A compare-and-swap write found another content generation: someone wrote first. */
  public static final class GenerationMismatchException extends TumblerException {
    public GenerationMismatchException(String message) {
      super(ErrorCode.GENERATION_MISMATCH, message);
    }
  }

  /** TryAcquire found the lock held ({@code LOCK_CONFLICT}) or inside a lock-delay. */
  public static final class LockConflictException extends TumblerException {
    public LockConflictException(ErrorCode code, String message) {
      super(code, message);
    }
  }

  /** The handle's node was deleted, the handle was closed or poisoned. */
  public static final class HandleInvalidException extends TumblerException {
    public HandleInvalidException(ErrorCode code, String message) {
      super(code, message);
    }
  }

  /**
   * The session ended: its locks are released (after their lock-delay) and its ephemeral nodes are
   * gone. Every later call fails the same way; open a new client.
   */
  public static final class SessionExpiredException extends TumblerException {
    public SessionExpiredException(String message) {
      super(ErrorCode.SESSION_EXPIRED, message);
    }
  }

  /** The sequencer is malformed or no longer names the lock's current holder. */
  public static final class InvalidSequencerException extends TumblerException {
    public InvalidSequencerException(String message) {
      super(ErrorCode.INVALID_SEQUENCER, message);
    }
  }

  public static final class BadNameException extends TumblerException {
    public BadNameException(String message) {
      super(ErrorCode.BAD_NAME, message);
    }
  }

  /** A file too large, or a per-session limit (handles, ephemeral nodes, requests) reached. */
  public static final class LimitExceededException extends TumblerException {
    public LimitExceededException(ErrorCode code, String message) {
      super(code, message);
    }
  }

  /** No master answered within the time allowed. */
  public static final class CellUnreachableException extends TumblerException {
    public CellUnreachableException(String message) {
      super(null, message);
    }
  }

  /** The client was closed; no call can be made on it or its handles any more. */
  public static final class ClientClosedException extends TumblerException {
    public ClientClosedException(String message) {
      super(null, message);
    }
  }
}
