package io.tumbler.lockservice.command;

/** Bytes that do not decode: truncated, out of range, over a limit, or of an unknown type. */
public final class MalformedInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MalformedInputException(String format, Object... args) {
    super(String.format(format, args));
  }
}
