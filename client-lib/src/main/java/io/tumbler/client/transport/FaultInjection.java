package io.tumbler.client.transport;

import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.protocol.Message;

/**
 * Test-only faults a {@link CellSession} can be given, to show what a real network does to it: an
 * answer that never arrives. Production sessions use {@link #NONE}.
 */
public interface FaultInjection {

  /** Whether to act as if {@code answer} to {@code request} had been lost on the way. */
  boolean loseAnswer(Request request, Message answer);

  FaultInjection NONE = (request, answer) -> false;
}
