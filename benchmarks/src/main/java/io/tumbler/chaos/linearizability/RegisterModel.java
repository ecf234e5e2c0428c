package io.tumbler.chaos.linearizability;

/**
 * The sequential specification of a Tumbler file as a register with versioned compare-and-swap:
 * state (value, generation), starting at (empty, 0).
 *
 * <ul>
 *   <li>{@code read} returns (value, generation) and changes nothing;
 *   <li>{@code write(v)} sets the value to v and adds one to the generation;
 *   <li>{@code cas(expected, v)} does what write does iff the generation equals {@code expected};
 *       otherwise it changes nothing and reports a mismatch.
 * </ul>
 *
 * Results a completion did not report (a write's generation, an indeterminate cas's outcome) match
 * anything. An indeterminate cas is only ever applied as a swap: applied as a mismatch it would
 * change nothing and report nothing, which is the same as not applying it at all.
 */
final class RegisterModel {

  /** What {@link #step} returns when the operation cannot take effect in the given state. */
  static final long ILLEGAL = -1;

  private RegisterModel() {}

  /**
   * The generation after {@code op} takes effect in state ({@code value}, {@code generation}), or
   * {@link #ILLEGAL} if it cannot take effect there with the results it reported. The value after
   * is the op's own if it {@linkplain RegisterOps#writes writes}, else unchanged.
   */
  static long step(RegisterOps ops, int op, int value, long generation) {
    long reported = ops.reportedGeneration[op];
    switch (ops.kind[op]) {
      case READ:
        return value == ops.valueId[op] && matches(reported, generation) ? generation : ILLEGAL;
      case WRITE:
        return matches(reported, generation + 1) ? generation + 1 : ILLEGAL;
      case SWAP:
        return generation == ops.expectedGeneration[op] && matches(reported, generation + 1)
            ? generation + 1
            : ILLEGAL;
      case MISMATCH:
        return generation != ops.expectedGeneration[op] && matches(reported, generation)
            ? generation
            : ILLEGAL;
    }
    throw new AssertionError("unhandled kind " + ops.kind[op]);
  }

  /**
   * The generation the file must be at for {@code op} to take effect, or {@link #ILLEGAL} if the op
   * does not pin one (a write or read that did not report its generation, a mismatch that did not
   * say what it found). Generations only grow, so once past it, the op can never take effect.
   */
  static long requiredGeneration(RegisterOps ops, int op) {
    long reported = ops.reportedGeneration[op];
    switch (ops.kind[op]) {
      case READ:
      case MISMATCH:
        return reported == RegisterOps.UNREPORTED ? ILLEGAL : reported;
      case WRITE:
        return reported == RegisterOps.UNREPORTED ? ILLEGAL : reported - 1;
      case SWAP:
        return ops.expectedGeneration[op];
    }
    throw new AssertionError("unhandled kind " + ops.kind[op]);
  }

  private static boolean matches(long reported, long generation) {
    return reported == RegisterOps.UNREPORTED || reported == generation;
  }
}
