package io.tumbler.paxos.sim;

/** A checker found the cell in a state the protocol promises never to reach. */
final class InvariantViolation extends RuntimeException {
  private static final long serialVersionUID = 1L;

  InvariantViolation(String message) {
    super(message);
  }
}
