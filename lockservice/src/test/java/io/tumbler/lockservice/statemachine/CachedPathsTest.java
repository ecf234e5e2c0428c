package io.tumbler.lockservice.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.TxnOp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The master invalidates {@code cachedPathsChangedBy(command)} before it proposes a command; a
 * client's cache is consistent only if that set covers every node whose cached facts (metadata,
 * contents, absence) the command changes. Checked over seeded random histories by comparing the
 * whole visible tree before and after each command.
 */
class CachedPathsTest {

  private static final int SEEDS = 200;
  private static final int STEPS = 300;
  private static final List<String> NAMES = List.of("a", "b", "d", "d/x", "d/y", "d/x/z");

  @Test
  void everyChangedNodeIsNamedBeforeTheCommandIsApplied() {
    for (long seed = 1; seed <= SEEDS; seed++) {
      runHistory(seed);
    }
  }

  private void runHistory(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    TestCell cell = new TestCell();
    List<Long> sessions = new ArrayList<>();
    Map<Long, List<Long>> handles = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      long s = cell.session();
      sessions.add(s);
      handles.put(s, new ArrayList<>());
    }
    Map<Long, Long> numbers = new HashMap<>();
    for (int step = 0; step < STEPS; step++) {
      long session = sessions.get(rnd.nextInt(sessions.size()));
      Command command = randomCommand(rnd, cell, session, handles.get(session), numbers);
      var predicted = cell.machine.cachedPathsChangedBy(command);
      Map<String, String> before = visibleTree(cell.machine);
      Result result = cell.apply(command).result();
      Map<String, String> after = visibleTree(cell.machine);
      var changed = new HashSet<String>(before.keySet());
      changed.addAll(after.keySet());
      changed.removeIf(p -> Objects.equals(before.get(p), after.get(p)));
      assertThat(predicted)
          .as("seed %d step %d: %s -> %s", seed, step, command, result)
          .containsAll(changed);
      if (result instanceof Result.Opened o) {
        handles.get(session).add(o.handle());
      }
      if (command instanceof Command.ExpireSession
          || (command instanceof Command.ClientRequest c
              && c.request() instanceof Request.EndSession)) {
        sessions.remove(session);
        handles.remove(session);
        long fresh = cell.session();
        sessions.add(fresh);
        handles.put(fresh, new ArrayList<>());
      }
    }
  }

  private Command randomCommand(
      SplittableRandom rnd,
      TestCell cell,
      long session,
      List<Long> handles,
      Map<Long, Long> numbers) {
    cell.advance(rnd.nextInt(5_000));
    long now = cell.nowMs;
    int kind = rnd.nextInt(100);
    if (kind < 3) {
      return new Command.ExpireSession(now, session);
    }
    if (kind < 8) {
      return new Command.Tick(now);
    }
    Request request;
    long handle = handles.isEmpty() ? 1 : handles.get(rnd.nextInt(handles.size()));
    String path = TestCell.path(NAMES.get(rnd.nextInt(NAMES.size())));
    switch (rnd.nextInt(12)) {
      case 0, 1 -> {
        boolean directory = rnd.nextBoolean();
        boolean ephemeral = rnd.nextBoolean();
        CreateOptions create =
            rnd.nextInt(4) == 0
                ? CreateOptions.NONE
                : directory
                    ? CreateOptions.directory(ephemeral)
                    : CreateOptions.file(ephemeral, ByteString.utf8("init"));
        request =
            new Request.Open(
                path, TestCell.ALL, TestCell.ALL_EVENTS, rnd.nextInt(3) * 1_000L, create);
      }
      case 2 -> request = new Request.Close(handle);
      case 3 -> request = new Request.SetContents(handle, ByteString.utf8("v" + rnd.nextInt()), -1);
      case 4 -> request = new Request.Delete(handle);
      case 5 ->
          request =
              new Request.Acquire(handle, rnd.nextBoolean() ? LockMode.EXCLUSIVE : LockMode.SHARED);
      case 6 -> request = new Request.TryAcquire(handle, LockMode.EXCLUSIVE);
      case 7 -> request = new Request.Release(handle);
      case 8 -> request = new Request.GetContentsAndStat(handle);
      case 9 -> request = new Request.Poison(handle);
      case 10 ->
          request =
              new Request.Transaction(
                  List.of(
                      rnd.nextBoolean()
                          ? new TxnOp.Create(path, NodeKind.FILE, ByteString.utf8("t"))
                          : new TxnOp.PutContents(path, ByteString.utf8("p")),
                      new TxnOp.Remove(TestCell.path(NAMES.get(rnd.nextInt(NAMES.size()))))));
      default ->
          request = rnd.nextInt(10) == 0 ? new Request.EndSession() : new Request.GetStat(handle);
    }
    long number = numbers.merge(session, 1L, Long::sum);
    return new Command.ClientRequest(now, session, number, number - 1, request);
  }

  /** Every node's cachable facts, by name: its metadata and contents. */
  private static Map<String, String> visibleTree(LockServiceStateMachine machine) {
    Map<String, String> tree = new HashMap<>();
    List<String> todo = new ArrayList<>(List.of(TestCell.path("")));
    while (!todo.isEmpty()) {
      String path = todo.remove(todo.size() - 1);
      var node = machine.inspect(path, Integer.MAX_VALUE, Integer.MAX_VALUE).orElseThrow();
      StringBuilder facts = new StringBuilder(node.stat().toString());
      facts.append(new String(node.contentsPrefix(), java.nio.charset.StandardCharsets.UTF_8));
      for (var child : node.children()) {
        todo.add(path + "/" + child.name());
      }
      tree.put(path, facts.toString());
    }
    return tree;
  }
}
