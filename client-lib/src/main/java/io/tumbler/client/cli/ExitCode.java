package io.tumbler.client.cli;

/**
 * The tumbler command's exit codes; docs/cli.md has the table. Each failure a script may want to
 * tell apart has its own code. {@code lock} and {@code elect} exit with their COMMAND's code once
 * it has run, so these apply to them only when the COMMAND did not run (or was stopped).
 */
public final class ExitCode {

  private ExitCode() {}

  public static final int OK = 0;

  /** Any failure without a code of its own (permission denied, not a directory, ...). */
  public static final int ERROR = 1;

  /** Bad command line: unknown command or option, missing argument, bad duration or path. */
  public static final int USAGE = 2;

  /** The node (or, for a create, its parent) does not exist. */
  public static final int NOT_FOUND = 3;

  /** {@code put --expect-generation N} found another content generation: someone wrote first. */
  public static final int GENERATION_MISMATCH = 4;

  /** {@code lock --wait D} did not get the lock within D. */
  public static final int LOCK_NOT_ACQUIRED = 5;

  /** No master of the cell answered within {@code --timeout}. */
  public static final int CELL_UNREACHABLE = 6;

  /** The session expired: locks it held are lost (a running COMMAND was stopped). */
  public static final int SESSION_EXPIRED = 7;

  /** COMMAND was found but could not be started (as in a shell). */
  public static final int COMMAND_NOT_EXECUTABLE = 126;

  /** COMMAND was not found (as in a shell). */
  public static final int COMMAND_NOT_FOUND = 127;
}
