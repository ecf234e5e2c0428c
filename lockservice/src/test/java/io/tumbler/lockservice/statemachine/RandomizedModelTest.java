package io.tumbler.lockservice.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.Applied;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Long random command sequences applied to two state machines and to {@link ReferenceModel}:
 * results and events must agree with the model, the two machines' state hashes must agree after
 * every command, and at random points one machine is replaced by a restore of the other's snapshot.
 * A failure names its seed; {@code -Dtumbler.seed=N} replays just that one.
 */
class RandomizedModelTest {

  private static final int FIXED_SEEDS = 16;
  private static final int STEPS = 3_000;
  private static final String CELL = "test";

  @Test
  void stateMachineAgreesWithTheReferenceModelAndItself() {
    List<Long> seeds = new ArrayList<>();
    String given = System.getProperty("tumbler.seed");
    if (given != null) {
      seeds.add(Long.parseLong(given));
    } else {
      for (long s = 1; s <= FIXED_SEEDS; s++) {
        seeds.add(s);
      }
      seeds.add(System.nanoTime()); // a fresh one each run; printed if it fails
    }
    Map<String, Integer> seen = new HashMap<>();
    for (long seed : seeds) {
      String divergence = run(seed, PlantedBug.NONE, STEPS, seen);
      assertThat(divergence).as("seed %d (replay with -Dtumbler.seed=%d)", seed, seed).isNull();
    }
    if (given == null) {
      // The sequences must reach the interesting cases, or agreeing proves little.
      assertThat(seen)
          .containsKeys(
              "LockQueued",
              "LockAcquired",
              "LOCK_DELAY",
              "LOCK_CONFLICT",
              "GENERATION_MISMATCH",
              "NOT_EMPTY",
              "HandleInvalid",
              "ConflictingLockRequest",
              "retry answered",
              "STALE_REQUEST",
              "sequencer valid",
              "INVALID_SEQUENCER",
              "ephemeral collected",
              "transaction committed",
              "transaction failed",
              "POISONED",
              "DirPage",
              "sequencer tied",
              "tied sequencer failed");
    }
  }

  @Test
  void plantedMissingLockDelayIsCaught() {
    assertThat(firstCatch(PlantedBug.NO_LOCK_DELAY)).containsIgnoringCase("lock");
  }

  @Test
  void plantedSharedBesideExclusiveIsCaught() {
    assertThat(firstCatch(PlantedBug.SHARED_BESIDE_EXCLUSIVE)).isNotNull();
  }

  @Test
  void plantedPartialTransactionIsCaught() {
    assertThat(firstCatch(PlantedBug.PARTIAL_TRANSACTION)).isNotNull();
  }

  @Test
  void plantedRetryAppliedTwiceIsCaught() {
    assertThat(firstCatch(PlantedBug.RETRY_APPLIED_TWICE)).isNotNull();
  }

  private static String firstCatch(PlantedBug bug) {
    for (long seed = 1; seed <= FIXED_SEEDS; seed++) {
      String divergence = run(seed, bug, STEPS, new HashMap<>());
      if (divergence != null) {
        System.out.println("planted " + bug + " caught: " + divergence);
        return divergence;
      }
    }
    return null;
  }

  /** Client-side bookkeeping of one session. */
  private static final class Client {
    final long session;
    long lastNumber;
    long ackedThrough;
    final Map<Long, Request> sent = new HashMap<>();
    final List<Long> handles = new ArrayList<>();

    Client(long session) {
      this.session = session;
    }
  }

  /** Returns a description of the first disagreement, or null if there was none. */
  static String run(long seed, PlantedBug bug, int steps, Map<String, Integer> seen) {
    Random rnd = new Random(seed);
    LockServiceStateMachine first = machine(bug);
    LockServiceStateMachine second = machine(bug);
    ReferenceModel model = new ReferenceModel(CELL);
    List<Client> clients = new ArrayList<>();
    List<ByteString> sequencers = new ArrayList<>();
    String[] names = {"a", "b", "c", "d", "d/x", "d/y"};
    long nowMs = 1_000;
    long index = 0;
    for (int step = 0; step < steps; step++) {
      nowMs += rnd.nextInt(50);
      Command command;
      Client client = clients.isEmpty() ? null : clients.get(rnd.nextInt(clients.size()));
      int dice = rnd.nextInt(100);
      if (client == null || (dice < 4 && clients.size() < 6)) {
        command = new Command.CreateSession(nowMs, "anonymous");
        client = null;
      } else if (dice < 6) {
        command = new Command.ExpireSession(nowMs, client.session);
        clients.remove(client);
      } else if (dice < 12) {
        nowMs += rnd.nextInt(4) == 0 ? 60_000 : rnd.nextInt(3_000);
        command = new Command.Tick(nowMs);
      } else if (dice < 14 && client.ackedThrough > 0) {
        // A late duplicate of something the client already acknowledged.
        long number = 1 + rnd.nextInt((int) client.ackedThrough);
        command =
            new Command.ClientRequest(
                nowMs, client.session, number, client.ackedThrough, new Request.GetStat(0));
      } else if (dice < 19 && !client.sent.isEmpty()) {
        long number =
            client.ackedThrough + 1 + rnd.nextInt((int) (client.lastNumber - client.ackedThrough));
        Request again = client.sent.get(number);
        seen.merge("retry answered", 1, Integer::sum);
        command =
            new Command.ClientRequest(nowMs, client.session, number, client.ackedThrough, again);
      } else {
        Request request = randomRequest(rnd, client, names, sequencers);
        long number = ++client.lastNumber;
        if (rnd.nextInt(3) > 0) {
          client.ackedThrough = Math.max(client.ackedThrough, number - 1 - rnd.nextInt(3));
        }
        Client sender = client;
        client.sent.keySet().removeIf(n -> n <= sender.ackedThrough);
        client.sent.put(number, request);
        command =
            new Command.ClientRequest(nowMs, client.session, number, client.ackedThrough, request);
        if (request instanceof Request.EndSession) {
          clients.remove(client);
        }
      }
      index += 1 + rnd.nextInt(2); // log slots taken by other entries leave gaps
      Result expected = model.apply(index, command);
      Applied actual = first.apply(index, command);
      Applied replica = second.apply(index, command);
      String where = "seed " + seed + " step " + step + " command " + command;
      if (!sameResult(expected, actual.result())) {
        return where + ": model says " + expected + ", state machine " + actual.result();
      }
      if (!model.lastEvents().equals(actual.events())) {
        return where
            + ": model events "
            + model.lastEvents()
            + ", state machine "
            + actual.events();
      }
      if (!actual.equals(replica) || first.stateHash() != second.stateHash()) {
        return where + ": replicas diverge";
      }
      List<String> unsafe = LockSafety.violations(first);
      if (!unsafe.isEmpty()) {
        return where + ": LOCK safety " + unsafe;
      }
      count(seen, command, actual);
      if (actual.result() instanceof Result.SessionCreated c) {
        clients.add(new Client(c.session()));
      } else if (actual.result() instanceof Result.Opened o && client != null) {
        client.handles.add(o.handle());
      } else if (actual.result() instanceof Result.SequencerResult r) {
        sequencers.add(r.sequencer());
      }
      if (rnd.nextInt(250) == 0) {
        second = restored(first, bug);
        if (second.stateHash() != first.stateHash()) {
          return where + ": restored snapshot differs";
        }
      }
    }
    return null;
  }

  private static void count(Map<String, Integer> seen, Command command, Applied applied) {
    Result r = applied.result();
    String key = r instanceof Result.Failure f ? f.code().name() : r.getClass().getSimpleName();
    seen.merge(key, 1, Integer::sum);
    for (var e : applied.events()) {
      seen.merge(e.event().getClass().getSimpleName(), 1, Integer::sum);
      if (e.event() instanceof io.tumbler.lockservice.command.Event.ChildChanged c
          && c.change() == io.tumbler.lockservice.command.Event.ChildChange.REMOVED
          && (command instanceof Command.ExpireSession
              || (command instanceof Command.ClientRequest q
                  && q.request() instanceof Request.Close))) {
        seen.merge("ephemeral collected", 1, Integer::sum);
      }
    }
    if (command instanceof Command.ClientRequest c) {
      if (c.request() instanceof Request.SetSequencer && r.ok()) {
        seen.merge("sequencer tied", 1, Integer::sum);
      }
      if (!(c.request() instanceof Request.SetSequencer)
          && !(c.request() instanceof Request.CheckSequencer)
          && r instanceof Result.Failure f
          && f.code() == io.tumbler.lockservice.command.ErrorCode.INVALID_SEQUENCER) {
        seen.merge("tied sequencer failed", 1, Integer::sum);
      }
      if (c.request() instanceof Request.CheckSequencer && r.ok()) {
        seen.merge("sequencer valid", 1, Integer::sum);
      }
      if (c.request() instanceof Request.Transaction t && t.ops().size() > 1) {
        seen.merge(r.ok() ? "transaction committed" : "transaction failed", 1, Integer::sum);
      }
    }
  }

  private static LockServiceStateMachine machine(PlantedBug bug) {
    return new LockServiceStateMachine(CELL, Limits.DEFAULTS, List.of("*"), bug);
  }

  private static LockServiceStateMachine restored(LockServiceStateMachine from, PlantedBug bug) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      from.snapshot(out);
      LockServiceStateMachine to = machine(bug);
      to.restore(new ByteArrayInputStream(out.toByteArray()));
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean sameResult(Result expected, Result actual) {
    if (expected instanceof Result.Failure e && actual instanceof Result.Failure a) {
      return e.code() == a.code(); // details are prose
    }
    return expected.equals(actual);
  }

  private static Request randomRequest(
      Random rnd, Client client, String[] names, List<ByteString> sequencers) {
    long handle =
        client.handles.isEmpty() || rnd.nextInt(20) == 0
            ? rnd.nextInt(50)
            : client.handles.get(rnd.nextInt(client.handles.size()));
    LockMode mode = rnd.nextBoolean() ? LockMode.EXCLUSIVE : LockMode.SHARED;
    int dice = rnd.nextInt(100);
    if (dice < 25) {
      String name = names[rnd.nextInt(names.length)];
      String path = "/ls/" + CELL + "/" + name;
      boolean dir = name.equals("d");
      Set<EventKind> events = EnumSet.noneOf(EventKind.class);
      for (EventKind kind : EventKind.values()) {
        if (rnd.nextBoolean()) {
          events.add(kind);
        }
      }
      long[] delays = {0, 0, 500, 2_000, 10_000, 70_000};
      long lockDelay =
          delays[rnd.nextInt(rnd.nextInt(10) == 0 ? delays.length : delays.length - 1)];
      NodeKind kind = dir ? NodeKind.DIRECTORY : NodeKind.FILE;
      ByteString contents = dir ? ByteString.EMPTY : randomContents(rnd);
      CreateOptions create =
          switch (rnd.nextInt(4)) {
            case 0 -> CreateOptions.NONE;
            case 1 -> new CreateOptions(true, false, false, false, kind, contents, null);
            case 2 -> new CreateOptions(true, false, false, !dir, kind, contents, null);
            default -> new CreateOptions(false, true, false, false, kind, contents, null);
          };
      return new Request.Open(path, TestCell.ALL, events, lockDelay, create);
    } else if (dice < 32) {
      return new Request.Close(handle);
    } else if (dice < 42) {
      return new Request.SetContents(
          handle, randomContents(rnd), rnd.nextBoolean() ? -1 : rnd.nextInt(4));
    } else if (dice < 46) {
      return new Request.GetStat(handle);
    } else if (dice < 50) {
      return new Request.GetContentsAndStat(handle);
    } else if (dice < 54) {
      return new Request.Delete(handle);
    } else if (dice < 70) {
      return new Request.Acquire(handle, mode);
    } else if (dice < 78) {
      return new Request.TryAcquire(handle, mode);
    } else if (dice < 90) {
      return new Request.Release(handle);
    } else if (dice < 92) {
      return new Request.GetSequencer(handle);
    } else if (dice < 94) {
      return transaction(rnd, names);
    } else if (dice < 96) {
      return new Request.ReadDir(handle, rnd.nextBoolean() ? "" : names[rnd.nextInt(3)]);
    } else if (dice < 97) {
      return new Request.SetSequencer(
          handle,
          sequencers.isEmpty()
              ? ByteString.utf8("not a sequencer")
              : sequencers.get(rnd.nextInt(sequencers.size())));
    } else if (dice < 98) {
      return new Request.Poison(handle);
    } else if (dice < 99) {
      return new Request.CheckSequencer(
          sequencers.isEmpty()
              ? ByteString.utf8("not a sequencer")
              : sequencers.get(rnd.nextInt(sequencers.size())));
    }
    return new Request.EndSession();
  }

  private static Request transaction(Random rnd, String[] names) {
    List<io.tumbler.lockservice.command.TxnOp> ops = new ArrayList<>();
    for (int i = rnd.nextInt(5); i >= 0; i--) {
      String path = "/ls/" + CELL + "/" + names[rnd.nextInt(names.length)];
      NodeKind kind = path.endsWith("/d") ? NodeKind.DIRECTORY : NodeKind.FILE;
      ops.add(
          switch (rnd.nextInt(5)) {
            case 0 -> new io.tumbler.lockservice.command.TxnOp.CheckExists(path, rnd.nextBoolean());
            case 1 ->
                new io.tumbler.lockservice.command.TxnOp.CheckContentGeneration(
                    path, rnd.nextInt(3));
            case 2 ->
                new io.tumbler.lockservice.command.TxnOp.PutContents(path, randomContents(rnd));
            case 3 ->
                new io.tumbler.lockservice.command.TxnOp.Create(
                    path,
                    kind,
                    kind == NodeKind.DIRECTORY ? ByteString.EMPTY : randomContents(rnd));
            default -> new io.tumbler.lockservice.command.TxnOp.Remove(path);
          });
    }
    return new Request.Transaction(ops);
  }

  private static ByteString randomContents(Random rnd) {
    byte[] bytes = new byte[rnd.nextInt(8)];
    rnd.nextBytes(bytes);
    return ByteString.wrap(bytes);
  }
}
