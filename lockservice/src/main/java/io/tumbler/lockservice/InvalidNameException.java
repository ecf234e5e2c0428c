package io.tumbler.lockservice;

/** A node name that breaks a naming rule or limit; the message names the rule. */
public final class InvalidNameException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  InvalidNameException(String format, Object... args) {
    super("bad name: " + String.format(format, args));
  }
}
