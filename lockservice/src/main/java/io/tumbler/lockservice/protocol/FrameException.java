package io.tumbler.lockservice.protocol;

/** A frame that cannot be decoded (or encoded): which rule it broke, and where. */
public final class FrameException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final FrameError error;

  public FrameException(FrameError error, String message) {
    super(error + ": " + message);
    this.error = error;
  }

  public FrameError error() {
    return error;
  }
}
