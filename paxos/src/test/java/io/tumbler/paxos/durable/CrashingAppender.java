package io.tumbler.paxos.durable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * The child process of {@link ChronicleLogCrashIT}: appends records forever with group commit,
 * printing {@code durable <sequence>} after each sync and {@code compact <key>} before each
 * compaction, until it is killed.
 */
public final class CrashingAppender {

  static final LogOptions OPTIONS = new LogOptions(500, 4096, 64 * 1024);

  /** Most records appended between two syncs, so between two {@code durable} lines. */
  static final int MAX_BATCH = 64;

  private CrashingAppender() {}

  /** The payload a record must hold: derived from its sequence, of varying length. */
  static byte[] expectedPayload(long sequence) {
    StringBuilder text = new StringBuilder("record ").append(sequence).append(':');
    int padding = (int) ((sequence * 7919) % 1500);
    for (int i = 0; i < padding; i++) {
      text.append((char) ('a' + (sequence + i) % 26));
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  public static void main(String[] args) throws IOException {
    Path directory = Path.of(args[0]);
    Random random = new Random(Long.parseLong(args[1]));
    try (ChronicleLog log = ChronicleLog.open(directory, OPTIONS, List::of, record -> {})) {
      System.out.println("opened next " + log.nextSequence());
      System.out.flush();
      while (true) {
        int batch = 1 + random.nextInt(MAX_BATCH);
        for (int i = 0; i < batch; i++) {
          long sequence = log.nextSequence();
          log.append(sequence, expectedPayload(sequence));
        }
        long durable = log.sync();
        System.out.println("durable " + durable);
        System.out.flush();
        if (random.nextInt(50) == 0 && durable > 2000) {
          long below = durable - 1000;
          System.out.println("compact " + below);
          System.out.flush();
          log.deleteSegmentsBelow(below);
        }
      }
    }
  }
}
