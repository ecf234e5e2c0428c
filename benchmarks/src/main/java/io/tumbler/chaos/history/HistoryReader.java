package io.tumbler.chaos.history;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a history file written by {@link HistoryRecorder} (or by anything that follows
 * docs/testing.md) back into a {@link History}. Strict: the first line that is not one valid event,
 * or that breaks the order or the invoke/complete protocol, stops the read with a {@link
 * MalformedHistoryException} naming the line. A history cut short by a crash ends in such a line;
 * remove it by hand, knowingly, rather than have a checker guess.
 */
public final class HistoryReader {

  private HistoryReader() {}

  /** The history in {@code file}. */
  public static History read(Path file) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(in, file.toString());
    }
  }

  /**
   * The history read from {@code in}.
   *
   * @param source names the input in error messages
   * @throws MalformedHistoryException at the first bad line
   */
  public static History read(BufferedReader in, String source) throws IOException {
    HistoryJson json = new HistoryJson();
    History.Builder history = new History.Builder();
    long lineNumber = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNumber++;
      if (line.isBlank()) {
        throw new MalformedHistoryException(source, lineNumber, "blank line");
      }
      try {
        history.add(json.fromLine(line));
      } catch (IllegalArgumentException e) {
        throw new MalformedHistoryException(source, lineNumber, e.getMessage());
      }
    }
    return history.build();
  }
}
