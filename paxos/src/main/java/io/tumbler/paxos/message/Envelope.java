package io.tumbler.paxos.message;

import static com.google.common.base.Preconditions.checkNotNull;

/** A message with its sender and receiver. */
public record Envelope(int from, int to, Message message) {

  public Envelope {
    checkNotNull(message, "message");
  }
}
