package io.tumbler.paxos.durable;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** File-system steps that Java does not offer directly. */
final class Directories {

  private Directories() {}

  /**
   * Forces a directory's entries to disk, so a file created, renamed or deleted in it survives a
   * power loss. Needed after every such change; a file's own fsync does not cover its name.
   */
  static void fsync(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
