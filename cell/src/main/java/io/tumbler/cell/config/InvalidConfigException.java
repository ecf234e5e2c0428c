package io.tumbler.cell.config;

/** A configuration file that cannot be used; the message names the file and the bad field. */
public final class InvalidConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  InvalidConfigException(String message) {
    super(message);
  }

  InvalidConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
