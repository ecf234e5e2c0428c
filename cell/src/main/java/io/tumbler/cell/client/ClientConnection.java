package io.tumbler.cell.client;

import io.tumbler.lockservice.protocol.Frame;

/**
 * One client's TCP connection, as the rest of the server sees it. Safe to use from any thread:
 * sends are handed to the connection's event loop.
 */
public interface ClientConnection {

  /** Unique for the life of the process; never reused. */
  long id();

  /** The client's IP address (no port): what per-client limits count by. */
  String remoteHost();

  /** Queues {@code frame} for the client; silently dropped if the connection has closed. */
  void send(Frame frame);

  /** Closes the connection after what was already queued has been written. */
  void close();

  boolean isOpen();
}
