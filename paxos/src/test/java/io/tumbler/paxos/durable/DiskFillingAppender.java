package io.tumbler.paxos.durable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link ChronicleLogDiskFullIT}: appends until the disk is full, printing
 * {@code durable <sequence>} after each sync, {@code failed <reason>} at the first failure and
 * {@code refused} if the log then refuses a further write, as it must.
 */
public final class DiskFillingAppender {

  private DiskFillingAppender() {}

  public static void main(String[] args) throws IOException {
    try (ChronicleLog log =
        ChronicleLog.open(Path.of(args[0]), CrashingAppender.OPTIONS, List::of, record -> {})) {
      try {
        while (true) {
          for (int i = 0; i < 10; i++) {
            long sequence = log.nextSequence();
            log.append(sequence, CrashingAppender.expectedPayload(sequence));
          }
          System.out.println("durable " + log.sync());
          System.out.flush();
        }
      } catch (LogFailedException e) {
        System.out.println("failed " + e.getMessage().replace('\n', ' '));
      }
      try {
        log.sync();
        System.out.println("sync after failure succeeded");
      } catch (LogFailedException e) {
        System.out.println("refused");
      }
      System.out.flush();
    }
  }
}
