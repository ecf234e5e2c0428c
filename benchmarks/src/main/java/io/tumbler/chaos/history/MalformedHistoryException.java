package io.tumbler.chaos.history;

/** A history (or final-state) file with a line that is not what docs/testing.md describes. */
public final class MalformedHistoryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final long lineNumber;

  public MalformedHistoryException(String source, long lineNumber, String problem) {
    super(source + " line " + lineNumber + ": " + problem);
    this.lineNumber = lineNumber;
  }

  /** The offending line, from 1. */
  public long lineNumber() {
    return lineNumber;
  }
}
