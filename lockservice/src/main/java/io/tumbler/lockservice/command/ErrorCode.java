package io.tumbler.lockservice.command;

/**
 * Why a request failed. Each code has a fixed wire number so that a client in any language can
 * switch on it; numbers are never reused.
 */
public enum ErrorCode {
  NOT_FOUND(1),
  EXISTS(2),
  PERMISSION_DENIED(3),
  NOT_EMPTY(4),
  GENERATION_MISMATCH(5),
  LOCK_CONFLICT(6),
  /** The lock is free but inside the lock-delay of a holder whose session expired. */
  LOCK_DELAY(7),
  HANDLE_INVALID(8),
  SESSION_EXPIRED(9),
  TOO_LARGE(10),
  BAD_NAME(11),
  NOT_MASTER(12),
  STALE_EPOCH(13),
  NOT_A_DIRECTORY(14),
  NOT_A_FILE(15),
  /** The handle was opened without the mode the call needs. */
  MODE_NOT_GRANTED(16),
  /** A per-session limit (open handles, ephemeral nodes, unacknowledged requests) is reached. */
  LIMIT_EXCEEDED(17),
  INVALID_SEQUENCER(18),
  /** Release on a handle that holds no lock. */
  NOT_HELD(19),
  POISONED(20),
  /** The request number is at or below what the client acknowledged: it cannot be answered. */
  STALE_REQUEST(21),
  BAD_ARGUMENT(22),
  /** The handle already holds the lock or waits for it. */
  ALREADY_REQUESTED(23);

  private static final ErrorCode[] BY_WIRE = new ErrorCode[64];

  static {
    for (ErrorCode code : values()) {
      BY_WIRE[code.wire] = code;
    }
  }

  private final int wire;

  ErrorCode(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  /** The code for a wire number, or null if unknown. */
  public static ErrorCode fromWire(int wire) {
    return wire >= 0 && wire < BY_WIRE.length ? BY_WIRE[wire] : null;
  }
}
