package io.tumbler.lockservice.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.command.Applied;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.RandomMessages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Any well-formed request, however odd (random names, flags, lock-delays, handles, sequencers),
 * must be answered with a result: an exception out of apply would stop every replica at once.
 */
class ArbitraryRequestsTest {

  @Test
  void applyAnswersEveryRequestWithoutThrowing() throws Exception {
    long seed = 5;
    RandomMessages random = new RandomMessages(seed);
    Random rnd = new Random(seed);
    LockServiceStateMachine machine = LockServiceStateMachine.openCell("local");
    List<Long> sessions = new ArrayList<>();
    java.util.Map<Long, List<Long>> handles = new java.util.HashMap<>();
    long index = 0;
    long number = 0;
    int failures = 0;
    java.util.Set<Class<?>> successes = new java.util.HashSet<>();
    for (int i = 0; i < 30_000; i++) {
      Command command;
      if (sessions.isEmpty() || rnd.nextInt(50) == 0) {
        command = new Command.CreateSession(i, "anonymous");
      } else if (rnd.nextInt(200) == 0) {
        command = new Command.ExpireSession(i, sessions.remove(rnd.nextInt(sessions.size())));
      } else {
        long session = sessions.get(rnd.nextInt(sessions.size()));
        number++;
        command =
            new Command.ClientRequest(
                i * 100L,
                session,
                number,
                number - 1,
                withHandle(random.request(), pick(handles.get(session), rnd)));
      }
      Applied applied = machine.apply(++index, command);
      assertThat(applied.result()).as("seed %d, command %d: %s", seed, i, command).isNotNull();
      if (applied.result() instanceof Result.SessionCreated c) {
        sessions.add(c.session());
        handles.put(c.session(), new ArrayList<>());
      } else if (applied.result() instanceof Result.Opened o
          && command instanceof Command.ClientRequest c) {
        handles.get(c.session()).add(o.handle());
      }
      if (!applied.result().ok()) {
        failures++;
      } else {
        successes.add(applied.result().getClass());
      }
      assertThat(LockSafety.violations(machine)).isEmpty();
    }
    assertThat(failures).isLessThan(30_000);
    assertThat(successes)
        .as("the odd requests still reach deep into the state machine")
        .contains(
            Result.Opened.class,
            Result.LockGranted.class,
            Result.StatResult.class,
            Result.Contents.class);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    machine.snapshot(out);
    LockServiceStateMachine copy = LockServiceStateMachine.openCell("local");
    copy.restore(new ByteArrayInputStream(out.toByteArray()));
    assertThat(copy.stateHash()).isEqualTo(machine.stateHash());
  }

  private static long pick(List<Long> handles, Random rnd) {
    return handles.isEmpty() || rnd.nextInt(10) == 0
        ? rnd.nextLong()
        : handles.get(rnd.nextInt(handles.size()));
  }

  /** Points the request at a handle of its session, so calls get past the handle check. */
  private static Request withHandle(Request r, long h) {
    if (r instanceof Request.Close) return new Request.Close(h);
    if (r instanceof Request.Poison) return new Request.Poison(h);
    if (r instanceof Request.GetContentsAndStat) return new Request.GetContentsAndStat(h);
    if (r instanceof Request.GetStat) return new Request.GetStat(h);
    if (r instanceof Request.ReadDir x) return new Request.ReadDir(h, x.startAfter());
    if (r instanceof Request.SetContents x) {
      return new Request.SetContents(h, x.contents(), x.expectedContentGeneration() % 3);
    }
    if (r instanceof Request.SetAcl x) return new Request.SetAcl(h, x.acls());
    if (r instanceof Request.Delete) return new Request.Delete(h);
    if (r instanceof Request.Acquire x) return new Request.Acquire(h, x.mode());
    if (r instanceof Request.TryAcquire x) return new Request.TryAcquire(h, x.mode());
    if (r instanceof Request.Release) return new Request.Release(h);
    if (r instanceof Request.GetSequencer) return new Request.GetSequencer(h);
    if (r instanceof Request.SetSequencer x) return new Request.SetSequencer(h, x.sequencer());
    return r;
  }
}
