package io.tumbler.chaos.net;

/** One direction of a proxied TCP connection. */
public enum Direction {
  /** From whoever connected to the proxy towards the server it stands in front of. */
  TO_SERVER,
  /** From the server back to whoever connected. */
  TO_CLIENT
}
