package io.tumbler.client.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replica processes; a session holds an exclusive lock and writes while the master is {@code
 * kill -9}ed. Within the grace period the same session still holds the lock (its sequencer still
 * validates), reads its last acknowledged write, and writes again. The gap between the last write
 * before the kill and the first one after is printed: the failover gap. {@code
 * -Dtumbler.failover.kills=5} repeats the kill (restarting the victim each time) and prints the
 * median.
 */
class ProcessFailoverIT {

  private static final Duration GENEROUS = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void aSessionKeepsItsLockAndWritesThroughKillNineOfTheMaster() throws Exception {
    int kills = Integer.getInteger("tumbler.failover.kills", 1);
    List<Long> gapsMs = new ArrayList<>();
    try (ProcessCell cell = new ProcessCell(dir, 3, "")) {
      cell.startAll();
      cell.awaitMaster(GENEROUS);
      try (CellSession s =
          CellSession.open(
                  cell.clientAddresses(), Duration.ofSeconds(45), new CellSession.Listener() {})
              .get(120, TimeUnit.SECONDS)) {
        Result opened =
            call(
                s,
                new Request.Open(
                    "/ls/local/primary",
                    EnumSet.of(Permission.READ, Permission.WRITE, Permission.LOCK),
                    EnumSet.noneOf(EventKind.class),
                    0,
                    CreateOptions.file(false, ByteString.EMPTY)));
        long h = ((Result.Opened) opened).handle();
        assertThat(call(s, new Request.Acquire(h, LockMode.EXCLUSIVE)))
            .isInstanceOf(Result.LockGranted.class);
        ByteString sequencer =
            ((Result.SequencerResult) call(s, new Request.GetSequencer(h))).sequencer();

        int written = 0;
        for (int k = 0; k < kills; k++) {
          for (int i = 0; i < 20; i++) {
            assertThat(call(s, write(h, ++written)).ok()).isTrue();
          }
          int victim = cell.master().orElseThrow();
          long lastWriteAt = System.nanoTime();
          cell.kill(victim);
          assertThat(call(s, write(h, ++written)).ok()).isTrue();
          long gapMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastWriteAt);
          gapsMs.add(gapMs);

          int newMaster = cell.master().orElse(-1);
          assertThat(newMaster).as("a new master serves").isNotEqualTo(victim);
          assertThat(call(s, new Request.CheckSequencer(sequencer)).ok())
              .as("the lock is still held by the same session")
              .isTrue();
          Result read = call(s, new Request.GetContentsAndStat(h));
          assertThat(((Result.Contents) read).contents()).isEqualTo(ByteString.utf8("w" + written));
          cell.start(victim); // back as a follower; it catches up
        }
      }
    }
    List<Long> sorted = new ArrayList<>(gapsMs);
    Collections.sort(sorted);
    System.out.printf(
        "failover gaps after kill -9 (ms): %s; median %d ms%n",
        gapsMs, sorted.get(sorted.size() / 2));
  }

  private static Request write(long handle, int n) {
    return new Request.SetContents(handle, ByteString.utf8("w" + n), -1);
  }

  private static Result call(CellSession s, Request r) throws Exception {
    return s.call(r).get(120, TimeUnit.SECONDS);
  }
}
