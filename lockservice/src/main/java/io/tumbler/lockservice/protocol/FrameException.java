package io.tumbler.lockservice.protocol;

/** A frame that cannot be decoded (or encoded): which rule it broke, and where. */
public final class FrameException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final FrameError error;
  private final long correlationId;

  public FrameException(FrameError error, String message) {
    this(error, message, 0);
  }

  /** A frame whose header was read: the refusal can answer the request it carried. */
  public FrameException(FrameError error, String message, long correlationId) {
    super(error + ": " + message);
    this.error = error;
    this.correlationId = correlationId;
  }

  /** The correlation id of the refused frame, or 0 if it could not be read. */
  public long correlationId() {
    return correlationId;
  }

  public FrameError error() {
    return error;
  }
}
