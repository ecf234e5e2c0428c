package io.tumbler.lockservice.protocol;

/** Why a frame was refused. Wire codes are the ordinals' fixed numbers below. */
public enum FrameError {
  /** The bytes end before the frame does. */
  TRUNCATED(1),
  /** The length prefix exceeds the maximum frame size. */
  OVERSIZED(2),
  /** The length prefix is smaller than a frame header. */
  BAD_LENGTH(3),
  UNSUPPORTED_VERSION(4),
  UNKNOWN_MESSAGE_TYPE(5),
  /** The body does not decode as its message type says. */
  MALFORMED_BODY(6),
  /** The body decoded but bytes were left in the frame. */
  TRAILING_BYTES(7);

  private final int code;

  FrameError(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static FrameError fromCode(int code) {
    for (FrameError e : values()) {
      if (e.code == code) {
        return e;
      }
    }
    return null;
  }
}
