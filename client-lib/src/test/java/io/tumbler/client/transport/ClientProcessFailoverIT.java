package io.tumbler.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.SessionListener;
import io.tumbler.client.SessionState;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TumblerClient} against three replica processes, one killed with {@code kill -9}: the
 * session goes into jeopardy (the session lease is shorter than a failover) and comes back safe,
 * with its handles, lock and watches intact, and a reader's cache never serves the value from
 * before the failover once a later write is acknowledged.
 */
class ClientProcessFailoverIT {

  /** Shorter than the time a new master needs (the old master lease must run out first). */
  private static final String SETTINGS =
      "sessions: {sessionLeaseMs: 3000, keepAliveAnswerAheadMs: 1000}\n";

  private static final Duration DEADLINE = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void jeopardyThenSafeAcrossKillNineOfTheMaster() throws Exception {
    List<String> states = new CopyOnWriteArrayList<>();
    List<Event> events = new CopyOnWriteArrayList<>();
    try (ProcessCell cell = new ProcessCell(dir, 3, SETTINGS)) {
      cell.startAll();
      cell.awaitMaster(DEADLINE);
      String addresses = String.join(",", cell.clientAddresses());
      try (TumblerClient owner =
              TumblerClient.builder()
                  .cell(addresses)
                  .gracePeriod(Duration.ofSeconds(60))
                  .sessionListener(
                      new SessionListener() {
                        @Override
                        public void onJeopardy() {
                          states.add("jeopardy");
                        }

                        @Override
                        public void onSafe() {
                          states.add("safe");
                        }

                        @Override
                        public void onExpired() {
                          states.add("expired");
                        }
                      })
                  .build();
          TumblerClient reader =
              TumblerClient.builder().cell(addresses).gracePeriod(Duration.ofSeconds(60)).build()) {
        Handle lock = owner.open("/ls/local/primary", OpenOptions.lock().createIfAbsent());
        lock.acquire(LockMode.EXCLUSIVE);
        ByteString sequencer = lock.getSequencer();
        lock.setContents("before");
        Handle watched =
            reader.open(
                "/ls/local/primary",
                OpenOptions.read().events(EventKind.CONTENTS_MODIFIED).listener(events::add));
        assertThat(watched.getContentsAndStat().text()).isEqualTo("before"); // now cached

        cell.kill(cell.master().orElseThrow());
        await().atMost(DEADLINE).until(() -> states.contains("jeopardy"));
        lock.setContents("after"); // waits for the new master; applied once
        await().atMost(DEADLINE).until(() -> owner.sessionState() == SessionState.HEALTHY);

        assertThat(watched.getContentsAndStat().text()).isEqualTo("after");
        assertThat(reader.checkSequencer(sequencer)).as("the lock survived").isTrue();
        await()
            .atMost(DEADLINE)
            .untilAsserted(
                () ->
                    assertThat(events)
                        .anySatisfy(e -> assertThat(e).isInstanceOf(Event.ContentsModified.class)));
        assertThat(states).containsSubsequence("jeopardy", "safe").doesNotContain("expired");
      }
    }
  }
}
