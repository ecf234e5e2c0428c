package io.tumbler.lockservice.protocol;

import static com.google.common.base.Preconditions.checkArgument;

/** One message on the wire; a response carries its request's correlation id. */
public record Frame(long correlationId, Message message) {
  public Frame {
    checkArgument(message != null, "message must be set");
  }
}
