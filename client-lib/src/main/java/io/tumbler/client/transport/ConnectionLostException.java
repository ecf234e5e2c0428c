package io.tumbler.client.transport;

import java.io.IOException;

/** The connection to a replica closed, or never opened, before an answer came. */
public final class ConnectionLostException extends IOException {
  private static final long serialVersionUID = 1L;

  public ConnectionLostException(String message) {
    super(message);
  }

  public ConnectionLostException(String message, Throwable cause) {
    super(message, cause);
  }
}
