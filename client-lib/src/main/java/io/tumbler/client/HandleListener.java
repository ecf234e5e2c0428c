package io.tumbler.client;

import io.tumbler.lockservice.command.Event;

/**
 * Receives the events a handle subscribed to at open, after the change they report, in order, on
 * the client's event thread (never a network thread). Blocking calls are allowed here, but they
 * delay every later event of the client.
 */
@FunctionalInterface
public interface HandleListener {

  void onEvent(Event event);

  /**
   * Events for this handle may have been lost (a master failover, or the client was away too long):
   * re-read what the handle watches.
   */
  default void onEventsMayBeLost() {}
}
