package io.tumbler.lockservice.statemachine;

import static io.tumbler.lockservice.statemachine.TestCell.ALL;
import static io.tumbler.lockservice.statemachine.TestCell.assertFails;
import static io.tumbler.lockservice.statemachine.TestCell.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.Stat;
import io.tumbler.lockservice.command.TxnOp;
import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceRulesTest {

  private final TestCell cell = new TestCell();
  private final long s = cell.session();

  private Stat stat(long handle) {
    return ((Result.StatResult) cell.call(s, new Request.GetStat(handle))).stat();
  }

  @Test
  void badNamesAndOtherCellsAreRefusedWithBadName() {
    for (String name : List.of("/ls/test/a//b", "/ls/test/..", "/ls/other/a", "/x/test/a")) {
      assertFails(
          cell.call(s, new Request.Open(name, ALL, TestCell.ALL_EVENTS, 0, CreateOptions.NONE)),
          ErrorCode.BAD_NAME);
    }
  }

  @Test
  void openWithoutCreateOfMissingNodeFailsWithNotFound() {
    assertFails(cell.openResult(s, "missing", ALL, CreateOptions.NONE), ErrorCode.NOT_FOUND);
    assertFails(
        cell.openResult(s, "no/parent", ALL, CreateOptions.file(false, ByteString.EMPTY)),
        ErrorCode.NOT_FOUND);
  }

  @Test
  void mustCreateFailsIfTheNodeExists() {
    cell.file(s, "f");
    CreateOptions must =
        new CreateOptions(false, true, false, false, NodeKind.FILE, ByteString.EMPTY, null);
    assertFails(cell.openResult(s, "f", ALL, must), ErrorCode.EXISTS);
  }

  @Test
  void filesCannotHaveChildren() {
    cell.file(s, "f");
    assertFails(
        cell.openResult(s, "f/child", ALL, CreateOptions.file(false, ByteString.EMPTY)),
        ErrorCode.NOT_A_DIRECTORY);
  }

  @Test
  void deleteRefusesANodeWithChildren() {
    long dir = cell.dir(s, "d");
    long child = cell.file(s, "d/f");
    assertFails(cell.call(s, new Request.Delete(dir)), ErrorCode.NOT_EMPTY);
    assertThat(cell.call(s, new Request.Delete(child)).ok()).isTrue();
    assertThat(cell.call(s, new Request.Delete(dir)).ok()).isTrue();
  }

  @Test
  void newNodeInheritsItsParentsAclNames() {
    long dir = cell.dir(s, "d");
    cell.open(s, "acl/w", CreateOptions.file(false, ByteString.utf8("*")));
    cell.call(
        s,
        new Request.SetAcl(dir, new io.tumbler.lockservice.command.AclNames("r", "w", "everyone")));
    Result.Opened file =
        (Result.Opened)
            cell.openResult(
                s, "d/f", java.util.Set.of(), CreateOptions.file(false, ByteString.EMPTY));
    assertThat(file.stat().acls())
        .isEqualTo(new io.tumbler.lockservice.command.AclNames("r", "w", "everyone"));
  }

  @Test
  void instanceNumberOfARecreatedNameIsGreater() {
    long first = cell.file(s, "f");
    long firstInstance = stat(first).instanceNumber();
    cell.call(s, new Request.Delete(first));
    long second = cell.file(s, "f");
    assertThat(stat(second).instanceNumber()).isGreaterThan(firstInstance);
  }

  @Test
  void handleOfADeletedNodeFailsEvenAfterTheNameIsCreatedAgain() {
    long old = cell.file(s, "f");
    long deleter = cell.file(s, "f");
    cell.call(s, new Request.Delete(deleter));
    cell.file(s, "f");
    assertFails(cell.call(s, new Request.GetStat(old)), ErrorCode.HANDLE_INVALID);
    assertFails(
        cell.call(s, new Request.SetContents(old, ByteString.utf8("x"), -1)),
        ErrorCode.HANDLE_INVALID);
    assertThat(cell.call(s, new Request.Close(old)).ok()).as("Close never fails").isTrue();
  }

  @Test
  void contentGenerationAndChecksumChangeOnEveryWrite() {
    long f = cell.file(s, "f");
    Stat before = stat(f);
    cell.call(s, new Request.SetContents(f, ByteString.utf8("one"), -1));
    Stat one = stat(f);
    cell.call(s, new Request.SetContents(f, ByteString.utf8("one"), -1));
    Stat again = stat(f);
    assertThat(one.contentGeneration()).isGreaterThan(before.contentGeneration());
    assertThat(again.contentGeneration()).isGreaterThan(one.contentGeneration());
    assertThat(one.contentChecksum()).isNotEqualTo(before.contentChecksum());
    assertThat(again.contentChecksum()).isEqualTo(one.contentChecksum());
    assertThat(one.contentLength()).isEqualTo(3);
  }

  @Test
  void setContentsWithAStaleGenerationFailsWithGenerationMismatch() {
    long f = cell.file(s, "f");
    long generation = stat(f).contentGeneration();
    assertThat(cell.call(s, new Request.SetContents(f, ByteString.utf8("a"), generation)).ok())
        .isTrue();
    assertFails(
        cell.call(s, new Request.SetContents(f, ByteString.utf8("b"), generation)),
        ErrorCode.GENERATION_MISMATCH);
    Result read = cell.call(s, new Request.GetContentsAndStat(f));
    assertThat(((Result.Contents) read).contents()).isEqualTo(ByteString.utf8("a"));
  }

  @Test
  void contentsOverTheFileLimitAreRefusedWithTooLarge() {
    long f = cell.file(s, "f");
    byte[] limit = new byte[Limits.DEFAULT_MAX_FILE_BYTES];
    assertThat(cell.call(s, new Request.SetContents(f, ByteString.wrap(limit), -1)).ok()).isTrue();
    assertFails(
        cell.call(s, new Request.SetContents(f, ByteString.wrap(new byte[limit.length + 1]), -1)),
        ErrorCode.TOO_LARGE);
    assertFails(
        cell.openResult(
            s, "g", ALL, CreateOptions.file(false, ByteString.wrap(new byte[limit.length + 1]))),
        ErrorCode.TOO_LARGE);
  }

  @Test
  void createSequentialAppendsACellWideCounter() {
    CreateOptions seq =
        new CreateOptions(false, false, true, false, NodeKind.FILE, ByteString.EMPTY, null);
    cell.dir(s, "q");
    cell.dir(s, "r");
    String a = cell.open(s, "q/job-", seq).path();
    String b = cell.open(s, "r/job-", seq).path();
    String c = cell.open(s, "q/job-", seq).path();
    assertThat(a).isEqualTo(path("q/job-0000000000"));
    assertThat(b).isEqualTo(path("r/job-0000000001"));
    assertThat(c).isEqualTo(path("q/job-0000000002"));
  }

  @Test
  void readDirPagesChildrenInNameOrder() {
    TestCell small =
        new TestCell(
            new LockServiceStateMachine(TestCell.CELL, limitsWithReadDirPage(2), List.of("*")));
    long session = small.session();
    long dir = small.dir(session, "d");
    for (String name : List.of("c", "a", "d", "b", "e")) {
      small.file(session, "d/" + name);
    }
    Result.DirPage first = (Result.DirPage) small.call(session, new Request.ReadDir(dir, ""));
    Result.DirPage second = (Result.DirPage) small.call(session, new Request.ReadDir(dir, "b"));
    Result.DirPage last = (Result.DirPage) small.call(session, new Request.ReadDir(dir, "d"));
    assertThat(first.children()).extracting(c -> c.name()).containsExactly("a", "b");
    assertThat(first.more()).isTrue();
    assertThat(second.children()).extracting(c -> c.name()).containsExactly("c", "d");
    assertThat(last.children()).extracting(c -> c.name()).containsExactly("e");
    assertThat(last.more()).isFalse();
  }

  static Limits limitsWithReadDirPage(int entries) {
    Limits d = Limits.DEFAULTS;
    return new Limits(
        d.maxComponentBytes(),
        d.maxDepth(),
        d.maxPathBytes(),
        d.maxFileBytes(),
        d.maxHandlesPerSession(),
        d.maxEphemeralHandlesPerSession(),
        entries,
        d.maxTransactionOps(),
        d.maxTransactionContentBytes(),
        d.maxUnackedRequestsPerSession(),
        d.lockDelayMsMax(),
        d.lockDelayMsDefault(),
        d.maxPrincipalBytes(),
        d.maxFrameBytes());
  }

  @Test
  void transactionAppliesAllOrNothing() {
    long f = cell.file(s, "f");
    long generation = stat(f).contentGeneration();
    long before = cell.machine.stateHash();
    Result failed =
        cell.call(
            s,
            new Request.Transaction(
                List.of(
                    new TxnOp.PutContents(path("f"), ByteString.utf8("new")),
                    new TxnOp.Create(path("g"), NodeKind.FILE, ByteString.EMPTY),
                    new TxnOp.CheckContentGeneration(path("f"), generation))));
    assertFails(failed, ErrorCode.GENERATION_MISMATCH);
    assertThat(cell.events).isEmpty();
    assertThat(cell.machine.read(s, new Request.GetContentsAndStat(f)))
        .isEqualTo(new Result.Contents(ByteString.EMPTY, stat(f)));
    assertFails(cell.openResult(s, "g", ALL, CreateOptions.NONE), ErrorCode.NOT_FOUND);

    Result ok =
        cell.call(
            s,
            new Request.Transaction(
                List.of(
                    new TxnOp.CheckContentGeneration(path("f"), generation),
                    new TxnOp.CheckExists(path("g"), false),
                    new TxnOp.Create(path("g"), NodeKind.DIRECTORY, ByteString.EMPTY),
                    new TxnOp.Create(path("g/h"), NodeKind.FILE, ByteString.utf8("h")),
                    new TxnOp.PutContents(path("f"), ByteString.utf8("new")),
                    new TxnOp.Remove(path("g/h")))));
    assertThat(ok).isEqualTo(new Result.Done());
    assertThat(stat(f).contentGeneration()).isEqualTo(generation + 1);
    assertThat(before).isNotEqualTo(cell.machine.stateHash());
  }

  @Test
  void transactionOverTheOpLimitIsRefusedWithTooLarge() {
    List<TxnOp> ops =
        java.util.Collections.nCopies(
            Limits.DEFAULT_MAX_TRANSACTION_OPS + 1, new TxnOp.CheckExists(path(""), true));
    assertFails(cell.call(s, new Request.Transaction(ops)), ErrorCode.TOO_LARGE);
  }

  @Test
  void writersAndDirectoryWatchersHearOfChanges() {
    long watcherSession = cell.session();
    long dir = cell.dir(watcherSession, "d");
    long f = cell.file(s, "d/f");
    assertThat(cell.events)
        .containsExactly(
            new EventDelivery(
                watcherSession,
                dir,
                new Event.ChildChanged(path("d"), "f", Event.ChildChange.ADDED)));
    long reader = cell.file(watcherSession, "d/f");
    cell.call(s, new Request.SetContents(f, ByteString.utf8("x"), -1));
    assertThat(cell.events)
        .containsExactly(
            new EventDelivery(s, f, new Event.ContentsModified(path("d/f"), 1)),
            new EventDelivery(watcherSession, reader, new Event.ContentsModified(path("d/f"), 1)),
            new EventDelivery(
                watcherSession,
                dir,
                new Event.ChildChanged(path("d"), "f", Event.ChildChange.MODIFIED)));
    cell.call(s, new Request.Delete(f));
    assertThat(cell.events)
        .containsExactly(
            new EventDelivery(watcherSession, reader, new Event.HandleInvalid(path("d/f"))),
            new EventDelivery(
                watcherSession,
                dir,
                new Event.ChildChanged(path("d"), "f", Event.ChildChange.REMOVED)));
  }

  @Test
  void poisonedHandleFailsLaterCallsButStaysOpen() {
    long f = cell.file(s, "f");
    cell.call(s, new Request.Poison(f));
    assertFails(cell.call(s, new Request.GetStat(f)), ErrorCode.POISONED);
    assertThat(cell.call(s, new Request.Close(f)).ok()).isTrue();
    assertFails(cell.call(s, new Request.GetStat(f)), ErrorCode.HANDLE_INVALID);
  }

  @Test
  void handleOfAnotherSessionIsInvalid() {
    long f = cell.file(s, "f");
    long other = cell.session();
    assertFails(cell.call(other, new Request.GetStat(f)), ErrorCode.HANDLE_INVALID);
  }

  @Test
  void callNeedingAModeTheHandleLacksFails() {
    long f =
        cell.open(s, "f", java.util.Set.of(), CreateOptions.file(false, ByteString.EMPTY)).handle();
    assertFails(cell.call(s, new Request.GetContentsAndStat(f)), ErrorCode.MODE_NOT_GRANTED);
    assertFails(
        cell.call(s, new Request.SetContents(f, ByteString.EMPTY, -1)), ErrorCode.MODE_NOT_GRANTED);
    assertThat(cell.call(s, new Request.GetStat(f)).ok()).isTrue();
  }

  @Test
  void openSaysWhetherItCreatedTheNode() {
    CreateOptions create = CreateOptions.file(false, ByteString.utf8("first"));
    assertThat(cell.open(s, "f", create).created()).isTrue();
    Result.Opened again = cell.open(s, "f", CreateOptions.file(false, ByteString.utf8("second")));
    assertThat(again.created()).isFalse();
    assertThat(
            ((Result.Contents) cell.call(s, new Request.GetContentsAndStat(again.handle())))
                .contents())
        .as("initial contents apply only to a node that is created")
        .isEqualTo(ByteString.utf8("first"));
  }
}
