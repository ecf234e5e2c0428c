package io.tumbler.chaos.linearizability;

/**
 * A Tumbler file seen as a register: its contents and content generation.
 *
 * @param value the contents, {@code null} for empty
 * @param generation the content generation, 0 before the first write
 */
public record RegisterState(String value, long generation) {

  /** Every file of a checked history starts empty at generation 0. */
  public static final RegisterState INITIAL = new RegisterState(null, 0);

  @Override
  public String toString() {
    return (value == null ? "null" : '"' + value + '"') + " @" + generation;
  }
}
