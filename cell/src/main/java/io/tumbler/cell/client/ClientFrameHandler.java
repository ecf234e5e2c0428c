package io.tumbler.cell.client;

import io.tumbler.lockservice.protocol.Frame;

/**
 * Receives what clients send. Called on a network thread: implementations hand the work to the
 * thread that owns the state and return at once.
 */
public interface ClientFrameHandler {

  /** A well-formed frame arrived. */
  void onFrame(ClientConnection connection, Frame frame);

  /** The connection closed, for any reason; no more frames will come from it. */
  void onClosed(ClientConnection connection);
}
