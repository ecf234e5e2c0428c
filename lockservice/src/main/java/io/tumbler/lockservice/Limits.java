package io.tumbler.lockservice;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Every limit of the lock service's namespace, in one place so that their relations can be checked
 * together. A server enforces these before it accepts a command; a client checks them early to give
 * a clearer error, but the server's check is the one that counts.
 *
 * @param maxComponentBytes longest name component, in UTF-8 bytes
 * @param maxDepth most components below the cell name ({@code /ls/cell/a/b} has depth 2)
 * @param maxPathBytes longest whole name, in UTF-8 bytes, {@code /ls/<cell>} included
 * @param maxFileBytes largest contents of one file
 */
public record Limits(int maxComponentBytes, int maxDepth, int maxPathBytes, int maxFileBytes) {

  public static final int DEFAULT_MAX_COMPONENT_BYTES = 255;
  public static final int DEFAULT_MAX_DEPTH = 32;
  public static final int DEFAULT_MAX_PATH_BYTES = 1024;
  public static final int DEFAULT_MAX_FILE_BYTES = 256 * 1024;

  public static final Limits DEFAULTS =
      new Limits(
          DEFAULT_MAX_COMPONENT_BYTES,
          DEFAULT_MAX_DEPTH,
          DEFAULT_MAX_PATH_BYTES,
          DEFAULT_MAX_FILE_BYTES);

  public Limits {
    checkArgument(
        maxComponentBytes >= 1, "maxComponentBytes must be >= 1, was %s", maxComponentBytes);
    checkArgument(maxDepth >= 1, "maxDepth must be >= 1, was %s", maxDepth);
    checkArgument(
        maxPathBytes >= "/ls/".length() + 2 * (1 + 1),
        "maxPathBytes must leave room for a cell and one component, was %s",
        maxPathBytes);
    checkArgument(
        maxPathBytes >= maxComponentBytes,
        "maxPathBytes (%s) must be >= maxComponentBytes (%s)",
        maxPathBytes,
        maxComponentBytes);
    checkArgument(maxFileBytes >= 0, "maxFileBytes must be >= 0, was %s", maxFileBytes);
  }
}
