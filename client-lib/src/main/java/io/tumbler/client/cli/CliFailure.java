package io.tumbler.client.cli;

/** A failure the CLI itself reports, with its exit code; printed as one line on stderr. */
final class CliFailure extends RuntimeException {

  private final int exitCode;

  CliFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
