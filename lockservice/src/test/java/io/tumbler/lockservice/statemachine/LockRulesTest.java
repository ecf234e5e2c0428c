package io.tumbler.lockservice.statemachine;

import static io.tumbler.lockservice.statemachine.TestCell.ALL;
import static io.tumbler.lockservice.statemachine.TestCell.ALL_EVENTS;
import static io.tumbler.lockservice.statemachine.TestCell.assertFails;
import static io.tumbler.lockservice.statemachine.TestCell.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LockRulesTest {

  private final TestCell cell = new TestCell();
  private final long a = cell.session();
  private final long b = cell.session();
  private final long c = cell.session();
  private final long ha = cell.file(a, "lock");
  private final long hb = cell.file(b, "lock");
  private final long hc = cell.file(c, "lock");

  private long lockGeneration() {
    return ((Result.StatResult) cell.call(a, new Request.GetStat(ha))).stat().lockGeneration();
  }

  private ByteString sequencer(long session, long handle) {
    return ((Result.SequencerResult) cell.call(session, new Request.GetSequencer(handle)))
        .sequencer();
  }

  @Test
  void exclusiveLockExcludesEveryoneElse() {
    assertThat(cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE)))
        .isInstanceOf(Result.LockGranted.class);
    assertFails(
        cell.call(b, new Request.TryAcquire(hb, LockMode.EXCLUSIVE)), ErrorCode.LOCK_CONFLICT);
    assertFails(cell.call(b, new Request.TryAcquire(hb, LockMode.SHARED)), ErrorCode.LOCK_CONFLICT);
  }

  @Test
  void sharedLocksAreHeldTogether() {
    assertThat(cell.call(a, new Request.Acquire(ha, LockMode.SHARED)).ok()).isTrue();
    assertThat(cell.call(b, new Request.TryAcquire(hb, LockMode.SHARED)))
        .isInstanceOf(Result.LockGranted.class);
    assertFails(
        cell.call(c, new Request.TryAcquire(hc, LockMode.EXCLUSIVE)), ErrorCode.LOCK_CONFLICT);
  }

  @Test
  void waitersAreGrantedInFifoOrderSoWritersDoNotStarve() {
    cell.call(a, new Request.Acquire(ha, LockMode.SHARED));
    assertThat(cell.call(b, new Request.Acquire(hb, LockMode.EXCLUSIVE)))
        .isEqualTo(new Result.LockQueued());
    // A reader arriving after a queued writer queues too, though it is compatible with the holder.
    assertThat(cell.call(c, new Request.Acquire(hc, LockMode.SHARED)))
        .isEqualTo(new Result.LockQueued());
    cell.call(a, new Request.Release(ha));
    assertThat(cell.events)
        .contains(
            new EventDelivery(
                b, hb, new Event.LockAcquired(path("lock"), hb, LockMode.EXCLUSIVE, 2)));
    cell.call(b, new Request.Release(hb));
    assertThat(cell.events)
        .contains(
            new EventDelivery(c, hc, new Event.LockAcquired(path("lock"), hc, LockMode.SHARED, 3)));
  }

  @Test
  void holderIsToldOfAConflictingRequest() {
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    cell.call(b, new Request.Acquire(hb, LockMode.SHARED));
    assertThat(cell.events)
        .containsExactly(
            new EventDelivery(
                a, ha, new Event.ConflictingLockRequest(path("lock"), LockMode.SHARED)));
  }

  @Test
  void lockGenerationIncreasesEachTimeTheLockGoesFromFreeToHeld() {
    long start = lockGeneration();
    cell.call(a, new Request.Acquire(ha, LockMode.SHARED));
    cell.call(b, new Request.Acquire(hb, LockMode.SHARED));
    assertThat(lockGeneration()).isEqualTo(start + 1);
    cell.call(a, new Request.Release(ha));
    cell.call(b, new Request.Release(hb));
    cell.call(c, new Request.Acquire(hc, LockMode.EXCLUSIVE));
    assertThat(lockGeneration()).isEqualTo(start + 2);
  }

  @Test
  void releaseFreesTheLockAtOnce() {
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    cell.call(a, new Request.Release(ha));
    assertThat(cell.call(b, new Request.TryAcquire(hb, LockMode.EXCLUSIVE)).ok()).isTrue();
    assertFails(cell.call(a, new Request.Release(ha)), ErrorCode.NOT_HELD);
  }

  @Test
  void closingAHandleReleasesItsLock() {
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    cell.call(a, new Request.Close(ha));
    assertThat(cell.call(b, new Request.TryAcquire(hb, LockMode.EXCLUSIVE)).ok()).isTrue();
  }

  @Test
  void acquiringNeedsWritePermission() {
    long reader = cell.session("reader");
    // The bootstrap cell lets everyone write; a node whose write ACL lists nobody does not.
    cell.call(
        a,
        new Request.SetAcl(
            ha, new io.tumbler.lockservice.command.AclNames("everyone", "nobody", "everyone")));
    assertFails(
        cell.call(
            reader,
            new Request.Open(
                path("lock"),
                java.util.Set.of(io.tumbler.lockservice.command.Permission.LOCK),
                ALL_EVENTS,
                0,
                CreateOptions.NONE)),
        ErrorCode.PERMISSION_DENIED);
    long readOnly =
        cell.open(
                reader,
                "lock",
                java.util.Set.of(io.tumbler.lockservice.command.Permission.READ),
                CreateOptions.NONE)
            .handle();
    assertFails(
        cell.call(reader, new Request.Acquire(readOnly, LockMode.SHARED)),
        ErrorCode.MODE_NOT_GRANTED);
  }

  @Test
  void expiredSessionReleasesLocksAfterLockDelay() {
    long holder = cell.session();
    long h =
        ((Result.Opened)
                cell.call(
                    holder,
                    new Request.Open(path("lock"), ALL, ALL_EVENTS, 10_000, CreateOptions.NONE)))
            .handle();
    cell.call(holder, new Request.Acquire(h, LockMode.EXCLUSIVE));
    cell.expire(holder);
    assertFails(cell.call(a, new Request.TryAcquire(ha, LockMode.EXCLUSIVE)), ErrorCode.LOCK_DELAY);
    assertThat(cell.call(b, new Request.Acquire(hb, LockMode.EXCLUSIVE)))
        .isEqualTo(new Result.LockQueued());
    assertThat(cell.machine.nextLockDelayEndMs()).isEqualTo(cell.nowMs + 10_000);
    cell.advance(9_999);
    assertThat(cell.tick().events()).isEmpty();
    cell.advance(1);
    assertThat(cell.tick().events())
        .contains(
            new EventDelivery(
                b, hb, new Event.LockAcquired(path("lock"), hb, LockMode.EXCLUSIVE, 2)));
    assertThat(cell.machine.nextLockDelayEndMs()).isEqualTo(-1);
  }

  @Test
  void lockDelayDefaultsToAndIsCappedAtSixtySeconds() {
    long holder = cell.session();
    long h = cell.file(holder, "lock");
    cell.call(holder, new Request.Acquire(h, LockMode.EXCLUSIVE));
    cell.expire(holder);
    assertThat(cell.machine.nextLockDelayEndMs()).isEqualTo(cell.nowMs + 60_000);
    assertFails(
        cell.call(a, new Request.Open(path("lock"), ALL, ALL_EVENTS, 60_001, CreateOptions.NONE)),
        ErrorCode.BAD_ARGUMENT);
  }

  @Test
  void endedSessionReleasesItsLocksWithoutLockDelay() {
    long holder = cell.session();
    long h = cell.file(holder, "lock");
    cell.call(holder, new Request.Acquire(h, LockMode.EXCLUSIVE));
    cell.call(holder, new Request.EndSession());
    assertThat(cell.call(a, new Request.TryAcquire(ha, LockMode.EXCLUSIVE)).ok()).isTrue();
  }

  @Test
  void sequencerIsValidWhileTheLockIsHeldAndInvalidAfterRelease() {
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    ByteString seq = sequencer(a, ha);
    assertThat(Sequencer.decode(seq))
        .contains(new Sequencer(path("lock"), 5, LockMode.EXCLUSIVE, 1));
    assertThat(cell.call(b, new Request.CheckSequencer(seq)).ok()).isTrue();
    cell.call(a, new Request.Release(ha));
    assertFails(cell.call(b, new Request.CheckSequencer(seq)), ErrorCode.INVALID_SEQUENCER);
    cell.call(b, new Request.Acquire(hb, LockMode.EXCLUSIVE));
    assertFails(cell.call(c, new Request.CheckSequencer(seq)), ErrorCode.INVALID_SEQUENCER);
    assertFails(cell.call(a, new Request.GetSequencer(ha)), ErrorCode.NOT_HELD);
  }

  @Test
  void sequencerOfAnEarlierInstanceOfTheNameIsInvalid() {
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    ByteString seq = sequencer(a, ha);
    cell.call(a, new Request.Delete(ha));
    long fresh = cell.file(b, "lock");
    cell.call(b, new Request.Acquire(fresh, LockMode.EXCLUSIVE));
    assertThat(Sequencer.decode(sequencer(b, fresh)).orElseThrow().lockGeneration())
        .as("same generation, new instance")
        .isEqualTo(1);
    assertFails(cell.call(c, new Request.CheckSequencer(seq)), ErrorCode.INVALID_SEQUENCER);
  }

  @Test
  void malformedOrDamagedSequencerIsInvalid() {
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    byte[] damaged = sequencer(a, ha).toByteArray();
    damaged[damaged.length - 6] ^= 1;
    assertThat(Sequencer.decode(ByteString.wrap(damaged))).isEqualTo(Optional.empty());
    assertFails(
        cell.call(b, new Request.CheckSequencer(ByteString.wrap(damaged))),
        ErrorCode.INVALID_SEQUENCER);
    assertFails(
        cell.call(b, new Request.CheckSequencer(ByteString.utf8("junk"))),
        ErrorCode.INVALID_SEQUENCER);
  }

  @Test
  void handleTiedToASequencerFailsOnceTheSequencerIsInvalid() {
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    ByteString seq = sequencer(a, ha);
    long worker = cell.file(b, "data");
    assertThat(cell.call(b, new Request.SetSequencer(worker, seq)).ok()).isTrue();
    assertThat(cell.call(b, new Request.GetStat(worker)).ok()).isTrue();
    cell.call(a, new Request.Release(ha));
    assertFails(cell.call(b, new Request.GetStat(worker)), ErrorCode.INVALID_SEQUENCER);
  }

  @Test
  void deletingTheNodeInvalidatesItsLockAndEveryOtherHandle() {
    cell.call(b, new Request.Acquire(hb, LockMode.EXCLUSIVE));
    cell.call(c, new Request.Acquire(hc, LockMode.EXCLUSIVE));
    cell.call(a, new Request.Delete(ha));
    assertThat(cell.events)
        .contains(
            new EventDelivery(b, hb, new Event.HandleInvalid(path("lock"))),
            new EventDelivery(c, hc, new Event.HandleInvalid(path("lock"))));
    assertFails(cell.call(b, new Request.Release(hb)), ErrorCode.HANDLE_INVALID);
  }

  @Test
  void acquiringTwiceThroughOneHandleFails() {
    cell.call(a, new Request.Acquire(ha, LockMode.SHARED));
    assertFails(
        cell.call(a, new Request.Acquire(ha, LockMode.SHARED)), ErrorCode.ALREADY_REQUESTED);
  }

  @Test
  void plantedSharedBesideExclusiveBugIsCaughtByTheInvariant() {
    TestCell buggy = TestCell.withBug(PlantedBug.SHARED_BESIDE_EXCLUSIVE);
    long x = buggy.session();
    long y = buggy.session();
    long hx = buggy.file(x, "lock");
    long hy = buggy.file(y, "lock");
    buggy.call(x, new Request.Acquire(hx, LockMode.EXCLUSIVE));
    // The invariant check is relaxed under a planted bug; the lock safety checker must see it.
    buggy.call(y, new Request.Acquire(hy, LockMode.SHARED));
    assertThat(LockSafety.violations(buggy.machine)).isNotEmpty();
    assertThat(LockSafety.violations(cell.machine)).isEmpty();
  }

  @Test
  void locksAreAdvisoryAndDoNotStopReadsOrWrites() {
    cell.call(a, new Request.Acquire(ha, LockMode.EXCLUSIVE));
    assertThat(cell.call(b, new Request.SetContents(hb, ByteString.utf8("mine"), -1)).ok())
        .isTrue();
    assertThat(cell.call(c, new Request.GetContentsAndStat(hc)).ok()).isTrue();
  }
}
