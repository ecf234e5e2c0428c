package io.tumbler.cell.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.cell.master.MasterHarness.Client;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.SessionNotice;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A watcher that stops listening while writes happen must, once it listens again, receive every
 * event it missed in order — or be told, exactly once, that events were lost (and re-read). Never a
 * silent gap. Checked over seeded runs with random numbers of writes, random event limits and
 * KeepAlive answers lost on the way.
 */
class EventGapsTest {

  private static final int SEEDS = 300;

  @Test
  void aReturningWatcherGetsEveryMissedEventInOrderOrOneResync() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      run(seed);
    }
  }

  private void run(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    int limit = 1 + rnd.nextInt(20);
    MasterHarness h =
        new MasterHarness(new MasterSettings(12_000, 3_000, 100, 100, limit, 1_000)).leading(1);
    Client watcher = h.connect().createSession();
    Client writer = h.connect().createSession();
    watcher.openHandle("watched", true);
    long w = writer.openHandle("watched", false);

    int rounds = 1 + rnd.nextInt(4);
    for (int round = 0; round < rounds; round++) {
      // The watcher is away: writes happen and nobody acknowledges their events.
      int writes = rnd.nextInt(2 * limit + 2);
      for (int i = 0; i < writes; i++) {
        writer.call(new Request.SetContents(w, ByteString.utf8("v" + i), -1));
      }
      // It comes back; some answers are lost on the way, and the next KeepAlive asks again.
      List<Long> seen = new ArrayList<>();
      int resyncs = 0;
      while (true) {
        long c = watcher.keepAlive();
        if (!(watcher.answer(c) instanceof Message.KeepAliveResponse)) {
          break; // held: nothing (more) to tell
        }
        if (rnd.nextInt(4) == 0) {
          continue; // lost on the way: the client learns and acknowledges nothing of it
        }
        Message.KeepAliveResponse r = watcher.keepAliveAnswer(c);
        if (r.notices().contains(SessionNotice.EVENTS_LOST)) {
          resyncs++;
          seen.clear(); // the application re-reads; what came before is known again
        }
        for (Message.NumberedEvent e : r.events()) {
          assertThat(e.event()).isInstanceOf(Event.ContentsModified.class);
          if (seen.isEmpty() || e.index() > seen.get(seen.size() - 1)) {
            seen.add(e.index());
          }
        }
      }
      String where =
          String.format("seed %d round %d, %d writes, limit %d", seed, round, writes, limit);
      if (writes > limit) {
        assertThat(resyncs).as(where + ": told once that events were lost").isEqualTo(1);
        assertThat(seen).as(where + ": then the later events, in order").isSorted();
      } else {
        assertThat(resyncs).as(where).isZero();
        assertThat(seen).as(where + ": every missed event, in order").hasSize(writes).isSorted();
        for (int i = 1; i < seen.size(); i++) {
          assertThat(seen.get(i)).as(where + ": no gap").isGreaterThan(seen.get(i - 1));
        }
      }
    }
  }
}
