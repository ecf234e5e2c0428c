package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random appends, syncs, compactions and restarts: compaction below a key never removes a record
 * with a key at or above it, and what remains is every record from the first kept one on.
 */
class ChronicleLogCompactionTest {

  @TempDir Path dir;

  @Test
  void compactionNeverRemovesRecordsAtOrAboveItsBound() throws IOException {
    long seed = Long.getLong("compaction.seed", new Random().nextLong());
    Random random = new Random(seed);
    long bound = 0;
    ChronicleLog log = ChronicleLog.open(dir, CrashingAppender.OPTIONS, List::of, r -> {});
    try {
      for (int step = 0; step < 3000; step++) {
        int batch = 1 + random.nextInt(64);
        for (int i = 0; i < batch; i++) {
          long sequence = log.nextSequence();
          log.append(sequence, CrashingAppender.expectedPayload(sequence));
        }
        long durable = log.sync();
        if (random.nextInt(50) == 0 && durable > 2000) {
          bound = durable - 1000;
          log.deleteSegmentsBelow(bound);
          assertThat(log.firstSequence())
              .as("seed %d step %d", seed, step)
              .isLessThanOrEqualTo(bound);
        }
        if (random.nextInt(100) == 0) {
          log.close();
          List<LogRecord> replayed = new ArrayList<>();
          log = ChronicleLog.open(dir, CrashingAppender.OPTIONS, List::of, replayed::add);
          String as = "seed " + seed + " step " + step + " after reopen";
          assertThat(replayed.get(0).sequence()).as(as).isLessThanOrEqualTo(Math.max(1, bound));
          assertThat(replayed.get(replayed.size() - 1).sequence()).as(as).isEqualTo(durable);
        }
      }
    } finally {
      log.close();
    }
  }
}
