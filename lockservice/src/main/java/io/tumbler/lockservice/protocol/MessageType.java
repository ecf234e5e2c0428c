package io.tumbler.lockservice.protocol;

/** The message type byte of a frame. Codes are fixed forever; a new message gets a new code. */
public enum MessageType {
  CREATE_SESSION(1),
  SESSION_REQUEST(2),
  KEEP_ALIVE(3),
  FIND_MASTER(4),
  SESSION_CREATED(10),
  RESPONSE(11),
  KEEP_ALIVE_RESPONSE(12),
  REDIRECT(13),
  PROTOCOL_ERROR(14),
  MASTER_LOCATION(15);

  private static final MessageType[] BY_CODE = new MessageType[256];

  static {
    for (MessageType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;

  MessageType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type for {@code code}, or null. */
  public static MessageType fromCode(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
