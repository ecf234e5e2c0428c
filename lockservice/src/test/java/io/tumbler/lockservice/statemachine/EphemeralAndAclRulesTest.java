package io.tumbler.lockservice.statemachine;

import static io.tumbler.lockservice.statemachine.TestCell.ALL;
import static io.tumbler.lockservice.statemachine.TestCell.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EphemeralAndAclRulesTest {

  private final TestCell cell = new TestCell();
  private final long s = cell.session();

  private boolean exists(String name) {
    return cell.machine.state().find(NodePath.parse(TestCell.path(name))) != null;
  }

  @Test
  void ephemeralFileIsDeletedWhenItsLastHandleCloses() {
    long other = cell.session();
    long h1 = cell.open(s, "e", CreateOptions.file(true, ByteString.EMPTY)).handle();
    long h2 = cell.open(other, "e", CreateOptions.NONE).handle();
    cell.call(s, new Request.Close(h1));
    assertThat(exists("e")).isTrue();
    cell.call(other, new Request.Close(h2));
    assertThat(exists("e")).isFalse();
  }

  @Test
  void ephemeralFileIsDeletedWhenItsSessionExpires() {
    long owner = cell.session();
    cell.open(owner, "member", CreateOptions.file(true, ByteString.utf8("10.0.0.1:80")));
    long dir = cell.open(s, "", Set.of(Permission.READ), CreateOptions.NONE).handle();
    cell.expire(owner);
    assertThat(exists("member")).isFalse();
    assertThat(cell.events)
        .contains(
            new EventDelivery(
                s,
                dir,
                new Event.ChildChanged(TestCell.path(""), "member", Event.ChildChange.REMOVED)));
  }

  @Test
  void ephemeralDirectoryStaysWhileItHasChildren() {
    long dir = cell.open(s, "group", CreateOptions.directory(true)).handle();
    long child = cell.file(s, "group/permanent-child");
    cell.call(s, new Request.Close(dir));
    assertThat(exists("group")).isTrue();
    cell.call(s, new Request.Delete(child));
    assertThat(exists("group")).isFalse();
  }

  @Test
  void ephemeralHandlesPerSessionAreLimited() {
    Limits d = Limits.DEFAULTS;
    Limits tiny =
        new Limits(
            d.maxComponentBytes(),
            d.maxDepth(),
            d.maxPathBytes(),
            d.maxFileBytes(),
            10,
            2,
            d.maxReadDirEntries(),
            d.maxTransactionOps(),
            d.maxTransactionContentBytes(),
            d.maxUnackedRequestsPerSession(),
            d.lockDelayMsMax(),
            d.lockDelayMsDefault(),
            d.maxPrincipalBytes(),
            d.maxFrameBytes());
    TestCell small = new TestCell(new LockServiceStateMachine(TestCell.CELL, tiny, List.of("*")));
    long session = small.session();
    small.open(session, "e1", CreateOptions.file(true, ByteString.EMPTY));
    small.open(session, "e2", CreateOptions.file(true, ByteString.EMPTY));
    assertFails(
        small.openResult(session, "e3", ALL, CreateOptions.file(true, ByteString.EMPTY)),
        ErrorCode.LIMIT_EXCEEDED);
    for (int i = 0; i < 8; i++) {
      small.file(session, "p" + i);
    }
    assertFails(
        small.openResult(session, "p9", ALL, CreateOptions.file(false, ByteString.EMPTY)),
        ErrorCode.LIMIT_EXCEEDED);
  }

  // --- ACLs ---------------------------------------------------------------------------------

  private TestCell locked() {
    return new TestCell(
        new LockServiceStateMachine(TestCell.CELL, Limits.DEFAULTS, List.of("root")));
  }

  @Test
  void bootstrapCellLetsEveryoneReadAndOnlyAdminsWrite() {
    TestCell cell = locked();
    long anon = cell.session(LockServiceStateMachine.ANONYMOUS);
    long root = cell.session("root");
    assertThat(cell.openResult(anon, "", Set.of(Permission.READ), CreateOptions.NONE).ok())
        .isTrue();
    assertFails(
        cell.openResult(anon, "", Set.of(Permission.WRITE), CreateOptions.NONE),
        ErrorCode.PERMISSION_DENIED);
    assertFails(
        cell.openResult(anon, "f", Set.of(), CreateOptions.file(false, ByteString.EMPTY)),
        ErrorCode.PERMISSION_DENIED);
    assertThat(cell.openResult(root, "f", ALL, CreateOptions.file(false, ByteString.EMPTY)).ok())
        .isTrue();
    assertThat(cell.openResult(root, "acl/admin", Set.of(Permission.READ), CreateOptions.NONE))
        .isInstanceOfSatisfying(
            Result.Opened.class, o -> assertThat(o.stat().kind()).isEqualTo(NodeKind.FILE));
  }

  @Test
  void principalListedInTheAclFileIsAllowedAndOthersAreNot() {
    TestCell cell = locked();
    long root = cell.session("root");
    long alice = cell.session("alice");
    long bob = cell.session("bob");
    cell.open(root, "acl/writers", CreateOptions.file(false, ByteString.utf8("alice\ncarol\n")));
    long f = cell.open(root, "f", CreateOptions.file(false, ByteString.EMPTY)).handle();
    cell.call(root, new Request.SetAcl(f, new AclNames("everyone", "writers", "admin")));
    assertThat(cell.openResult(alice, "f", Set.of(Permission.WRITE), CreateOptions.NONE).ok())
        .isTrue();
    assertFails(
        cell.openResult(bob, "f", Set.of(Permission.WRITE), CreateOptions.NONE),
        ErrorCode.PERMISSION_DENIED);
    assertThat(cell.openResult(bob, "f", Set.of(Permission.READ), CreateOptions.NONE).ok())
        .isTrue();
    assertFails(
        cell.openResult(alice, "f", Set.of(Permission.CHANGE_ACL), CreateOptions.NONE),
        ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void missingAclFileAdmitsNobody() {
    TestCell cell = locked();
    long root = cell.session("root");
    long f = cell.open(root, "f", CreateOptions.file(false, ByteString.EMPTY)).handle();
    cell.call(root, new Request.SetAcl(f, new AclNames("no-such-acl", "admin", "admin")));
    assertFails(
        cell.openResult(root, "f", Set.of(Permission.READ), CreateOptions.NONE),
        ErrorCode.PERMISSION_DENIED);
  }

  @Test
  void settingAclsNeedsChangeAclModeAndRaisesTheAclGeneration() {
    long f =
        cell.open(s, "f", Set.of(Permission.WRITE), CreateOptions.file(false, ByteString.EMPTY))
            .handle();
    assertFails(
        cell.call(s, new Request.SetAcl(f, AclNames.all("admin"))), ErrorCode.MODE_NOT_GRANTED);
    long g = cell.open(s, "f", ALL, CreateOptions.NONE).handle();
    assertThat(cell.call(s, new Request.SetAcl(g, AclNames.all("admin"))).ok()).isTrue();
    Result.StatResult stat = (Result.StatResult) cell.call(s, new Request.GetStat(g));
    assertThat(stat.stat().aclGeneration()).isEqualTo(1);
    assertFails(cell.call(s, new Request.SetAcl(g, AclNames.all("a/b"))), ErrorCode.BAD_NAME);
  }

  @Test
  void transactionChecksNeedReadPermission() {
    TestCell cell = locked();
    long root = cell.session("root");
    long mallory = cell.session("mallory");
    long dir = cell.open(root, "secret", CreateOptions.directory(false)).handle();
    cell.open(root, "secret/plan", CreateOptions.file(false, ByteString.utf8("x")));
    cell.call(root, new Request.SetAcl(dir, new AclNames("admin", "admin", "admin")));
    String plan = TestCell.path("secret/plan");
    assertFails(
        cell.call(
            mallory,
            new Request.Transaction(
                List.of(new io.tumbler.lockservice.command.TxnOp.CheckExists(plan, true)))),
        ErrorCode.PERMISSION_DENIED);
    assertThat(
            cell.call(
                    root,
                    new Request.Transaction(
                        List.of(new io.tumbler.lockservice.command.TxnOp.CheckExists(plan, true))))
                .ok())
        .isTrue();
  }
}
