package io.tumbler.lockservice.statemachine;

import static io.tumbler.lockservice.statemachine.TestCell.assertFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ExactlyOnceAndSnapshotTest {

  private final TestCell cell = new TestCell();
  private final long a = cell.session();
  private final long b = cell.session();

  @Test
  void retriedReleaseDoesNotFreeANewerHoldersLock() {
    cell.acknowledge = false;
    long ha = cell.file(a, "lock");
    long hb = cell.file(b, "lock");
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    cell.call(a, new Request.Release(ha));
    long releaseNumber = cell.lastRequestNumber(a);
    cell.call(b, new Request.Acquire(hb, LockMode.EXCLUSIVE));
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE)); // queued behind b
    Result retried = cell.retry(a, releaseNumber, new Request.Release(ha));
    assertThat(retried).isEqualTo(new Result.Done());
    assertThat(cell.events).as("the retry changed nothing").isEmpty();
    assertFails(
        cell.call(b, new Request.Acquire(hb, LockMode.EXCLUSIVE)), ErrorCode.ALREADY_REQUESTED);
  }

  @Test
  void retriedSetContentsReturnsTheFirstResultAndDoesNotOverwriteANewerWrite() {
    cell.acknowledge = false;
    long ha = cell.file(a, "f");
    long hb = cell.file(b, "f");
    Result first = cell.call(a, new Request.SetContents(ha, ByteString.utf8("a"), -1));
    long number = cell.lastRequestNumber(a);
    cell.call(b, new Request.SetContents(hb, ByteString.utf8("b"), -1));
    assertThat(cell.retry(a, number, new Request.SetContents(ha, ByteString.utf8("a"), -1)))
        .isEqualTo(first);
    assertThat(((Result.Contents) cell.call(b, new Request.GetContentsAndStat(hb))).contents())
        .isEqualTo(ByteString.utf8("b"));
  }

  @Test
  void plantedRetryBugIsCaught() {
    TestCell buggy = TestCell.withBug(PlantedBug.RETRY_APPLIED_TWICE);
    long s = buggy.session();
    long h = buggy.file(s, "f");
    Result first = buggy.call(s, new Request.SetContents(h, ByteString.utf8("a"), -1));
    long number = buggy.lastRequestNumber(s);
    assertThat(buggy.retry(s, number, new Request.SetContents(h, ByteString.utf8("a"), -1)))
        .isNotEqualTo(first);
  }

  @Test
  void requestAtOrBelowTheAcknowledgedNumberIsStale() {
    long h = cell.file(a, "f");
    cell.call(a, new Request.GetStat(h)); // acknowledges the Open's result
    Result stale =
        cell.apply(new Command.ClientRequest(cell.nowMs, a, 1, 0, new Request.GetStat(h))).result();
    assertFails(stale, ErrorCode.STALE_REQUEST);
  }

  @Test
  void unacknowledgedResultsAreBounded() {
    long h = cell.file(a, "f");
    Result last = null;
    for (long n = 2; n <= 2 + cell.machine.limits().maxUnackedRequestsPerSession(); n++) {
      last =
          cell.apply(
                  new Command.ClientRequest(
                      cell.nowMs, a, n, 0, new Request.SetContents(h, ByteString.EMPTY, -1)))
              .result();
    }
    assertFails(last, ErrorCode.LIMIT_EXCEEDED);
  }

  @Test
  void aRetriedReadIsAnsweredAfreshAndNotKept() {
    cell.acknowledge = false;
    long h = cell.file(a, "f");
    cell.call(a, new Request.GetContentsAndStat(h));
    long readNumber = cell.lastRequestNumber(a);
    cell.call(a, new Request.SetContents(h, ByteString.utf8("new"), -1));
    Result again = cell.retry(a, readNumber, new Request.GetContentsAndStat(h));
    assertThat(((Result.Contents) again).contents()).isEqualTo(ByteString.utf8("new"));
  }

  @Test
  void requestOfAnUnknownSessionFailsWithSessionExpired() {
    cell.expire(b);
    assertFails(cell.call(b, new Request.EndSession()), ErrorCode.SESSION_EXPIRED);
  }

  private static byte[] snapshot(LockServiceStateMachine machine) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    machine.snapshot(out);
    return out.toByteArray();
  }

  private void populate() {
    long h = cell.file(a, "lock");
    cell.dir(a, "d");
    cell.open(a, "d/e", CreateOptions.file(true, ByteString.utf8("ephemeral")));
    cell.call(a, new Request.Acquire(h, LockMode.EXCLUSIVE));
    long hb = cell.file(b, "lock");
    cell.call(b, new Request.Acquire(hb, LockMode.SHARED));
    cell.expire(a);
  }

  @Test
  void restoreOfASnapshotGivesTheSameStateAndBehaviour() throws IOException {
    populate();
    byte[] bytes = snapshot(cell.machine);
    LockServiceStateMachine copy = LockServiceStateMachine.openCell(TestCell.CELL);
    copy.restore(new ByteArrayInputStream(bytes));
    assertThat(copy.stateHash()).isEqualTo(cell.machine.stateHash());
    assertThat(snapshot(copy)).isEqualTo(bytes);
    cell.advance(60_000);
    Command tick = new Command.Tick(cell.nowMs);
    assertThat(copy.apply(cell.index + 1, tick)).isEqualTo(cell.apply(tick));
    assertThat(copy.stateHash()).isEqualTo(cell.machine.stateHash());
  }

  @Test
  void corruptSnapshotIsRejectedAndTheStateIsUnchanged() throws IOException {
    populate();
    byte[] bytes = snapshot(cell.machine);
    LockServiceStateMachine target = LockServiceStateMachine.openCell(TestCell.CELL);
    long before = target.stateHash();
    for (int i = 0; i < bytes.length; i += Math.max(1, bytes.length / 50)) {
      byte[] damaged = bytes.clone();
      damaged[i] ^= 0x40;
      assertThatThrownBy(() -> target.restore(new ByteArrayInputStream(damaged)))
          .isInstanceOf(CorruptSnapshotException.class);
    }
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThatThrownBy(() -> target.restore(new ByteArrayInputStream(truncated)))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("checksum");
    assertThatThrownBy(() -> target.restore(new ByteArrayInputStream(new byte[3])))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("truncated");
    assertThat(target.stateHash()).isEqualTo(before);
  }

  @Test
  void snapshotOfAnotherVersionIsRefused() throws IOException {
    byte[] bytes = snapshot(cell.machine);
    bytes[7] = 9; // version 9, with a checksum that matches
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    java.nio.ByteBuffer.wrap(bytes, bytes.length - 4, 4).putInt((int) crc.getValue());
    assertThatThrownBy(() -> cell.machine.restore(new ByteArrayInputStream(bytes)))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("version 9");
  }

  @Test
  void lateDuplicateOfAnOpenDoesNotRecreateAClosedHandle() {
    cell.acknowledge = false;
    long h = cell.file(a, "f");
    long openNumber = cell.lastRequestNumber(a);
    cell.call(a, new Request.Close(h));
    Result late =
        cell.retry(
            a,
            openNumber,
            new Request.Open(
                TestCell.path("f"),
                TestCell.ALL,
                TestCell.ALL_EVENTS,
                0,
                CreateOptions.file(false, ByteString.EMPTY)));
    assertThat(late)
        .isInstanceOfSatisfying(Result.Opened.class, o -> assertThat(o.handle()).isEqualTo(h));
    assertFails(cell.call(a, new Request.GetStat(h)), ErrorCode.HANDLE_INVALID);
  }

  @Test
  void aMasterClockThatIsBehindDoesNotShortenLockDelay() {
    long h = cell.file(a, "lock");
    long hb = cell.file(b, "lock");
    cell.call(a, new Request.Acquire(h, LockMode.EXCLUSIVE));
    cell.expire(a);
    long end = cell.machine.nextLockDelayEndMs();
    cell.nowMs -= 30_000; // a new master whose clock runs behind the old one's
    cell.tick();
    assertFails(cell.call(b, new Request.TryAcquire(hb, LockMode.EXCLUSIVE)), ErrorCode.LOCK_DELAY);
    cell.nowMs = end;
    assertThat(cell.call(b, new Request.TryAcquire(hb, LockMode.EXCLUSIVE)).ok()).isTrue();
  }

  @Test
  void readsChangeNothingAndRefuseWrites() {
    long h = cell.file(a, "f");
    long before = cell.machine.stateHash();
    assertThat(cell.machine.read(a, new Request.GetStat(h))).isInstanceOf(Result.StatResult.class);
    assertThat(cell.machine.stateHash()).isEqualTo(before);
    assertThatThrownBy(() -> cell.machine.read(a, new Request.Delete(h)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void snapshotOfAnotherCellIsRefused() throws IOException {
    byte[] bytes = snapshot(LockServiceStateMachine.openCell("elsewhere"));
    assertThatThrownBy(() -> cell.machine.restore(new ByteArrayInputStream(bytes)))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("elsewhere");
  }

  @Test
  void indexesMustIncrease() {
    assertThatThrownBy(() -> cell.machine.apply(cell.index, new Command.Tick(cell.nowMs)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
