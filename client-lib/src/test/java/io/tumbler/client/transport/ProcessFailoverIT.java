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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
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
        long h = lockedHandle(s);
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

  /**
   * Short leases (the chaos harness's timing): a new master within a few seconds of the old one
   * freezing, and a session lease the freeze far outlasts.
   */
  private static final String SHORT_LEASES =
      "sessions: {sessionLeaseMs: 5000, keepAliveAnswerAheadMs: 1666}\n"
          + "paxos: {masterLeaseMs: 1500, heartbeatIntervalMs: 250, electionTimeoutMs: 1000,"
          + " electionJitterMaxMs: 500}\n";

  private static final Duration SHORT_SESSION_LEASE = Duration.ofSeconds(5);

  /**
   * A master frozen by SIGSTOP keeps its connections open. The session must not wait on it: in
   * jeopardy it looks for the master again, reaches the new one while the extension every session
   * gets from a new master lasts, and keeps its lock, although the old master stays frozen for
   * three session leases.
   */
  @Test
  void aSessionKeepsItsLockWhileItsMasterIsFrozenForLongerThanASessionLease() throws Exception {
    List<CellSession.State> states = new CopyOnWriteArrayList<>();
    try (ProcessCell cell = new ProcessCell(dir, 3, SHORT_LEASES)) {
      cell.startAll();
      cell.awaitMaster(GENEROUS);
      CellSession.Listener listener =
          new CellSession.Listener() {
            @Override
            public void onStateChanged(CellSession.State state) {
              states.add(state);
            }
          };
      try (CellSession s =
          CellSession.open(cell.clientAddresses(), Duration.ofSeconds(60), listener)
              .get(120, TimeUnit.SECONDS)) {
        long h = lockedHandle(s);
        ByteString sequencer =
            ((Result.SequencerResult) call(s, new Request.GetSequencer(h))).sequencer();
        assertThat(call(s, write(h, 1)).ok()).isTrue();

        int victim = cell.master().orElseThrow();
        long frozenAt = System.nanoTime();
        cell.pause(victim);
        try {
          Awaitility.await("a new master")
              .atMost(GENEROUS)
              .pollInterval(Duration.ofMillis(200))
              .until(() -> cell.master().filter(m -> m != victim).isPresent());
          long frozenFor = 3 * SHORT_SESSION_LEASE.toNanos();
          TimeUnit.NANOSECONDS.sleep(Math.max(0, frozenAt + frozenFor - System.nanoTime()));
        } finally {
          cell.resume(victim);
        }

        assertThat(call(s, write(h, 2)).ok()).as("a write after the freeze").isTrue();
        assertThat(call(s, new Request.CheckSequencer(sequencer)).ok())
            .as("the lock is still held by the same session")
            .isTrue();
        assertThat(states).as("session states").doesNotContain(CellSession.State.EXPIRED);
      }
    }
  }

  private static long lockedHandle(CellSession s) throws Exception {
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
    return h;
  }

  private static Request write(long handle, int n) {
    return new Request.SetContents(handle, ByteString.utf8("w" + n), -1);
  }

  private static Result call(CellSession s, Request r) throws Exception {
    return s.call(r).get(120, TimeUnit.SECONDS);
  }
}
