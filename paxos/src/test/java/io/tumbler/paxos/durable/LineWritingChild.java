package io.tumbler.paxos.durable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child process of {@link ChildJvmTest}: prints {@code line 1} to {@code line <count>}, then
 * creates the file {@code written} to say they are all in the pipe, and waits to be killed.
 */
public final class LineWritingChild {

  private LineWritingChild() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path written = Path.of(args[0]);
    int count = Integer.parseInt(args[1]);
    for (int i = 1; i <= count; i++) {
      System.out.println("line " + i);
    }
    System.out.flush();
    Files.createFile(written);
    Thread.sleep(Long.MAX_VALUE);
  }
}
