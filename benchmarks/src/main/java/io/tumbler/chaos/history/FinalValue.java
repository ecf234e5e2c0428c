package io.tumbler.chaos.history;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What a file held when it was read once more after every fault had healed: one line of a
 * final-state file.
 *
 * @param key the file
 * @param value its contents ({@code null}: empty, or no such file)
 * @param generation its content generation (0 if there is no such file)
 */
public record FinalValue(String key, String value, long generation) {

  public FinalValue {
    checkArgument(key != null && !key.isEmpty(), "key must be set");
    checkArgument(generation >= 0, "generation must be >= 0");
  }

  /** The final state of a file the final read did not find: as it was before any write. */
  public static FinalValue absent(String key) {
    return new FinalValue(key, null, 0);
  }
}
