package io.tumbler.paxos.durable;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link ChronicleLogDiskFullIT}: appends until the disk is full, printing
 * {@code durable <sequence>} after each sync, {@code failed <reason>} at the first failure and
 * {@code refused} if the log then refuses a further write, as it must — or {@code crashed} and exit
 * code {@link #CRASHED_EXIT_CODE} if the full disk surfaced as a fault of a memory-mapped write.
 */
public final class DiskFillingAppender {

  /** Exit code of a run that ended in a fault of a memory-mapped write (see main). */
  static final int CRASHED_EXIT_CODE = 3;

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
      } catch (InternalError e) {
        // The JVM's report of a fault in a memory-mapped write (SIGBUS: the tmpfs had no page to
        // give). It is raised wherever compiled code next checks, not at the write, so nothing
        // after it can be trusted: a storage process must stop here (fail-stop) and recover on
        // restart. What was reported durable before it must still be there; the test checks that.
        System.out.println("crashed " + e.getMessage());
        System.out.flush();
        Runtime.getRuntime().halt(CRASHED_EXIT_CODE);
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
