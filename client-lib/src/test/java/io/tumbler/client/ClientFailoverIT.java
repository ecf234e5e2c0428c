package io.tumbler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.TumblerException.SessionExpiredException;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.LockMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The session's states across failures of the cell: jeopardy then safe when a master comes back in
 * time, jeopardy then expired when none does, and handles, locks and the cache carried across a
 * master failover.
 */
class ClientFailoverIT {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @TempDir Path dir;

  /** Records the session's callbacks in order. */
  private static final class Recorder implements SessionListener {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void onJeopardy() {
      calls.add("jeopardy");
    }

    @Override
    public void onSafe() {
      calls.add("safe");
    }

    @Override
    public void onExpired() {
      calls.add("expired");
    }

    @Override
    public void onEventsMayBeLost() {
      calls.add("events may be lost");
    }
  }

  @Test
  void jeopardyThenSafeWhenTheMasterComesBack() {
    Recorder recorder = new Recorder();
    try (EmbeddedCell cell = EmbeddedCell.start(1, dir);
        TumblerClient client =
            TumblerClient.builder()
                .cell(cell.connectString())
                .gracePeriod(Duration.ofSeconds(60))
                .sessionListener(recorder)
                .build()) {
      Handle h = client.open("/ls/local/held", OpenOptions.lock().createIfAbsent());
      h.acquire(LockMode.EXCLUSIVE);
      h.setContents("before");
      h.getContentsAndStat();

      cell.killMaster();
      await().atMost(DEADLINE).until(() -> client.sessionState() == SessionState.JEOPARDY);
      assertThat(client.cacheStats().entries()).as("the cache is emptied in jeopardy").isZero();
      cell.restart();
      // A call made now waits for the master rather than failing.
      assertThat(h.getContentsAndStat().text()).isEqualTo("before");
      await().atMost(DEADLINE).until(() -> client.sessionState() == SessionState.HEALTHY);
      assertThat(recorder.calls).containsSubsequence("jeopardy", "safe");
      assertThat(client.checkSequencer(h.getSequencer())).as("the lock is still held").isTrue();
    }
  }

  @Test
  void jeopardyThenExpiredWhenNoMasterComesBack() {
    Recorder recorder = new Recorder();
    try (EmbeddedCell cell = EmbeddedCell.start(1, dir);
        TumblerClient client =
            TumblerClient.builder()
                .cell(cell.connectString())
                .gracePeriod(Duration.ofSeconds(2))
                .sessionListener(recorder)
                .build()) {
      Handle h = client.open("/ls/local/gone", OpenOptions.readWrite().createIfAbsent());
      cell.killMaster();
      await().atMost(DEADLINE).until(() -> client.sessionState() == SessionState.EXPIRED);
      assertThat(recorder.calls).containsSubsequence("jeopardy", "expired");
      assertThatThrownBy(h::getContentsAndStat).isInstanceOf(SessionExpiredException.class);
      assertThatThrownBy(() -> client.open("/ls/local/gone", OpenOptions.read()))
          .isInstanceOf(SessionExpiredException.class);
      cell.restart();
    }
  }

  @Test
  void handlesLocksAndWatchesSurviveAMasterFailover() {
    Recorder recorder = new Recorder();
    AtomicInteger resyncs = new AtomicInteger();
    try (EmbeddedCell cell = EmbeddedCell.start(3, dir);
        TumblerClient client =
            TumblerClient.builder().cell(cell.connectString()).sessionListener(recorder).build()) {
      Handle lock = client.open("/ls/local/primary", OpenOptions.lock().createIfAbsent());
      lock.acquire(LockMode.EXCLUSIVE);
      ByteString sequencer = lock.getSequencer();
      Handle watched =
          client.open(
              "/ls/local/primary",
              OpenOptions.read()
                  .listener(
                      new HandleListener() {
                        @Override
                        public void onEvent(io.tumbler.lockservice.command.Event event) {}

                        @Override
                        public void onEventsMayBeLost() {
                          resyncs.incrementAndGet();
                        }
                      }));
      lock.setContents("me");
      assertThat(watched.getContentsAndStat().text()).isEqualTo("me");

      int old = cell.killMaster();
      // The same handles work with the new master: nothing to re-open.
      lock.setContents("still me");
      assertThat(watched.getContentsAndStat().text()).isEqualTo("still me");
      assertThat(client.checkSequencer(sequencer)).isTrue();
      await().atMost(DEADLINE).until(() -> recorder.calls.contains("events may be lost"));
      await().atMost(DEADLINE).until(() -> resyncs.get() > 0);
      assertThat(cell.masterId()).isNotEqualTo(old);
      cell.restart(old);
    }
  }
}
