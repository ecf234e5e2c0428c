package io.tumbler.cell.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.cell.master.MasterHarness.Client;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.SessionNotice;
import io.tumbler.paxos.Role;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class MasterServiceTest {

  private static final MasterSettings SETTINGS = MasterSettings.DEFAULTS;

  @Test
  void aFollowerRedirectsToTheMasterItKnows() {
    MasterHarness h = new MasterHarness(SETTINGS);
    h.replica.epoch = 7;
    h.replica.masterId = 2;
    Client c = h.connect();

    Message answer = c.answer(c.send(new Message.CreateSession(0)));

    assertThat(answer).isEqualTo(new Message.Redirect(ErrorCode.NOT_MASTER, "127.0.0.1:7102", 7));
    // Its epoch is the ballot it promised last, perhaps a candidate's above the master's: the
    // client learns the master's epoch from the master.
    assertThat(c.answer(c.send(new Message.FindMaster())))
        .isEqualTo(
            new Message.MasterLocation(
                "127.0.0.1:7102",
                0,
                java.util.List.of("127.0.0.1:7101", "127.0.0.1:7102", "127.0.0.1:7103")));
  }

  @Test
  void theMasterNamesItselfAndItsEpoch() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(7);
    Client c = h.connect();

    assertThat(c.answer(c.send(new Message.FindMaster())))
        .isEqualTo(
            new Message.MasterLocation(
                "127.0.0.1:7101",
                7,
                java.util.List.of("127.0.0.1:7101", "127.0.0.1:7102", "127.0.0.1:7103")));
  }

  @Test
  void aRecoveringMasterHoldsSessionWorkUntilItCanServe() {
    MasterHarness h = new MasterHarness(SETTINGS);
    h.replica.role = Role.LEADER;
    h.replica.epoch = 3;
    h.replica.masterId = 1;
    h.tick();
    Client c = h.connect();

    long create = c.send(new Message.CreateSession(0));
    h.choose();
    assertThat(c.answer(create)).isNull();
    assertThat(h.replica.proposed).isEmpty();

    h.replica.canServeReads = true;
    h.tick();
    h.choose();
    assertThat(c.answer(create)).isInstanceOf(Message.SessionCreated.class);
  }

  @Test
  void requestsOfAnOlderEpochAreRefusedWithTheCurrentOne() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(5);
    Client c = h.connect().createSession();
    c.epoch = 4;

    assertThat(c.answer(c.request(new Request.GetStat(1))))
        .isEqualTo(new Message.Redirect(ErrorCode.STALE_EPOCH, "", 5));
    assertThat(c.answer(c.keepAlive()))
        .isEqualTo(new Message.Redirect(ErrorCode.STALE_EPOCH, "", 5));
  }

  @Test
  void writesAndReadsGoThroughTheLogAndMemory() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client c = h.connect().createSession();
    long handle = c.openHandle("config", true);

    assertThat(c.call(new Request.SetContents(handle, ByteString.utf8("v1"), -1)).result().ok())
        .isTrue();
    long read = c.request(new Request.GetContentsAndStat(handle));
    assertThat(h.replica.proposed).as("reads are served from memory").isEmpty();
    Message.Response answer = (Message.Response) c.answer(read);
    assertThat(((Result.Contents) answer.result()).contents()).isEqualTo(ByteString.utf8("v1"));
    assertThat(answer.cachable()).isTrue();
  }

  @Test
  void aReadWaitsForTheSameSessionsEarlierWrite() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client c = h.connect().createSession();
    long handle = c.openHandle("f", true);

    long write = c.request(new Request.SetContents(handle, ByteString.utf8("new"), -1));
    long read = c.request(new Request.GetContentsAndStat(handle));
    assertThat(c.answer(read)).as("not before the write is applied").isNull();

    h.choose();
    assertThat(c.answer(write)).isNotNull();
    Result r = ((Message.Response) c.answer(read)).result();
    assertThat(((Result.Contents) r).contents()).isEqualTo(ByteString.utf8("new"));
  }

  @Test
  void aKeepAliveIsHeldUntilTheLeaseNearsItsEnd() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client c = h.connect().createSession();

    long ka = c.keepAlive();
    assertThat(c.answer(ka)).isNull();
    h.advanceMs(SETTINGS.sessionLeaseMs() - SETTINGS.keepAliveAnswerAheadMs() - 100);
    assertThat(c.answer(ka)).isNull();
    h.advanceMs(200);

    Message.KeepAliveResponse r = c.keepAliveAnswer(ka);
    assertThat(r).isNotNull();
    // Counted from when the KeepAlive was received: the held time plus a full lease.
    assertThat(r.leaseMs())
        .isGreaterThanOrEqualTo(SETTINGS.sessionLeaseMs())
        .isLessThanOrEqualTo(2 * SETTINGS.sessionLeaseMs());
  }

  @Test
  void aHeldKeepAliveIsAnsweredAtOnceWithEvents() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client watcher = h.connect().createSession();
    Client writer = h.connect().createSession();
    long watched = watcher.openHandle("w", true);
    long written = writer.openHandle("w", false);

    long ka = watcher.keepAlive();
    writer.call(new Request.SetContents(written, ByteString.utf8("x"), -1));

    Message.KeepAliveResponse r = watcher.keepAliveAnswer(ka);
    assertThat(r).isNotNull();
    assertThat(r.events()).hasSize(1);
    assertThat(r.events().get(0).handle()).isEqualTo(watched);
    assertThat(r.events().get(0).event()).isInstanceOf(Event.ContentsModified.class);

    // Acknowledged by the next KeepAlive: not delivered again.
    long next = watcher.keepAlive();
    assertThat(watcher.answer(next)).isNull();
  }

  @Test
  void aWriteWaitsUntilEveryCachingSessionAcknowledgedItsInvalidation() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client reader = h.connect().createSession();
    Client writer = h.connect().createSession();
    long readHandle = reader.openHandle("cfg", true);
    long writeHandle = writer.openHandle("cfg", false);
    writer.call(new Request.SetContents(writeHandle, ByteString.utf8("old"), -1));
    Message.Response cached = reader.call(new Request.GetContentsAndStat(readHandle));
    assertThat(cached.cachable()).isTrue();

    long write = writer.request(new Request.SetContents(writeHandle, ByteString.utf8("new"), -1));
    h.choose();
    assertThat(writer.answer(write)).as("blocked on the reader's invalidation").isNull();
    assertThat(h.replica.proposed).isEmpty();

    // Meanwhile the node is uncachable, and reads of it still answer from the master.
    Message.Response during = reader.call(new Request.GetContentsAndStat(readHandle));
    assertThat(during.cachable()).isFalse();

    long ka = reader.keepAlive();
    Message.KeepAliveResponse r = reader.keepAliveAnswer(ka);
    assertThat(r.invalidations())
        .extracting(Message.Invalidation::path)
        .containsExactly("/ls/local/cfg");
    assertThat(writer.answer(write)).isNull();

    reader.keepAlive(); // acknowledges the invalidation
    h.choose();
    assertThat(((Message.Response) writer.answer(write)).result().ok()).isTrue();
    Message.Response after = reader.call(new Request.GetContentsAndStat(readHandle));
    assertThat(((Result.Contents) after.result()).contents()).isEqualTo(ByteString.utf8("new"));
    assertThat(after.cachable()).isTrue();
  }

  @Test
  void aWriteStopsWaitingForASessionWhoseLeaseRanOut() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client reader = h.connect().createSession();
    Client writer = h.connect().createSession();
    long readHandle = reader.openHandle("cfg", true);
    long writeHandle = writer.openHandle("cfg", false);
    reader.call(new Request.GetContentsAndStat(readHandle));

    long write = writer.request(new Request.SetContents(writeHandle, ByteString.utf8("n"), -1));
    // The writer keeps its session alive; the reader has gone silent.
    for (int i = 0; i < 20; i++) {
      long ka = writer.keepAlive();
      h.advanceMs(SETTINGS.sessionLeaseMs() / 10);
      writer.keepAliveAnswer(ka);
      h.choose();
      if (writer.answer(write) != null) {
        break;
      }
    }
    assertThat(((Message.Response) writer.answer(write)).result().ok()).isTrue();
    assertThat(h.freshStatus().sessions()).as("the silent reader expired").isEqualTo(1);
  }

  @Test
  void anExpiredSessionLosesItsLockOnlyAfterTheLockDelay() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client holder = h.connect().createSession();
    Client other = h.connect().createSession();
    long held = holder.openHandle("lock", true);
    long wanted = other.openHandle("lock", false);
    assertThat(holder.call(new Request.Acquire(held, LockMode.EXCLUSIVE)).result())
        .isInstanceOf(Result.LockGranted.class);

    // The holder stops sending KeepAlives; the other keeps its session alive.
    long elapsed = 0;
    while (elapsed <= SETTINGS.sessionLeaseMs() + 1_000) {
      long ka = other.keepAlive();
      h.advanceMs(500);
      elapsed += 500;
      other.keepAliveAnswer(ka);
      h.choose();
    }
    assertThat(h.freshStatus().sessions()).isEqualTo(1);
    Result during = other.call(new Request.TryAcquire(wanted, LockMode.EXCLUSIVE)).result();
    assertThat(during).isInstanceOf(Result.Failure.class);
    assertThat(((Result.Failure) during).code()).isEqualTo(ErrorCode.LOCK_DELAY);

    while (elapsed <= SETTINGS.sessionLeaseMs() + 62_000) {
      long ka = other.keepAlive();
      h.advanceMs(1_000);
      elapsed += 1_000;
      other.keepAliveAnswer(ka);
      h.choose();
    }
    assertThat(other.call(new Request.TryAcquire(wanted, LockMode.EXCLUSIVE)).result())
        .isInstanceOf(Result.LockGranted.class);
  }

  @Test
  void aNewMasterServesNothingButKeepAlivesUntilEverySessionAcknowledgedTheFailover() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client a = h.connect().createSession();
    Client b = h.connect().createSession();
    long handle = a.openHandle("f", true);

    h.failOverTo(9, a, b);

    long read = a.request(new Request.GetStat(handle));
    assertThat(a.answer(read)).isNull();
    Message.KeepAliveResponse ra = a.keepAliveAnswer(a.keepAlive());
    assertThat(ra.notices()).containsExactly(SessionNotice.MASTER_FAILED_OVER);
    a.keepAlive(); // acknowledges it
    assertThat(a.answer(read)).as("b has not acknowledged yet").isNull();

    Message.KeepAliveResponse rb = b.keepAliveAnswer(b.keepAlive());
    assertThat(rb.notices()).containsExactly(SessionNotice.MASTER_FAILED_OVER);
    b.keepAlive();
    assertThat(a.answer(read)).isInstanceOf(Message.Response.class);
    assertThat(((Message.Response) a.answer(read)).result().ok()).isTrue();
  }

  @Test
  void aMasterWithoutItsLeaseExtendsNoSessionLeaseAndExpiresNobody() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client c = h.connect().createSession();
    long held = c.keepAlive();

    // Frozen past its master lease: a successor may already count this session's lease from the
    // end of this master's, so an answer now would let the client trust it for too long.
    h.replica.leaseHeld = false;
    h.advanceMs(SETTINGS.sessionLeaseMs() - SETTINGS.keepAliveAnswerAheadMs() + 100);
    assertThat(c.answer(held)).as("due, but this master cannot vouch for it").isNull();
    long fresh = c.keepAlive();
    assertThat(c.answer(fresh)).isNull();
    assertThat(c.answer(held)).as("superseded, still unanswered").isNull();
    h.advanceMs(SETTINGS.keepAliveAnswerAheadMs() + 100);
    assertThat(h.replica.proposed).as("its own silence is no reason to expire anyone").isEmpty();

    h.replica.leaseHeld = true;
    h.advanceMs(10);
    assertThat(h.replica.proposed).as("past its lease, the session expires").isNotEmpty();
  }

  @Test
  void aKeepAliveIsAnsweredOnceTheMasterHoldsItsLeaseAgain() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client c = h.connect().createSession();

    h.replica.leaseHeld = false;
    long ka = c.keepAlive();
    h.advanceMs(SETTINGS.sessionLeaseMs() - SETTINGS.keepAliveAnswerAheadMs() + 100);
    assertThat(c.answer(ka)).isNull();

    h.replica.leaseHeld = true;
    h.advanceMs(10);
    assertThat(c.keepAliveAnswer(ka)).isNotNull();
  }

  @Test
  void anExpiryTheProposalQueueRefusedStillWaitsForEveryOtherFailoverAcknowledgement() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client a = h.connect().createSession();
    Client b = h.connect().createSession();
    h.connect().createSession(); // goes silent
    long handle = a.openHandle("f", true);
    h.failOverTo(9, a, b);

    long read = a.request(new Request.GetStat(handle));
    a.keepAliveAnswer(a.keepAlive());
    a.keepAlive(); // a acknowledges the failover; b keeps its session but never does
    for (long elapsed = 0; elapsed <= SETTINGS.sessionLeaseMs() + 500; elapsed += 250) {
      a.keepAliveAnswer(a.keepAlive());
      b.keepAliveAnswer(b.keepAlive());
      b.noticesToAck = EnumSet.noneOf(SessionNotice.class); // its acknowledgements get lost
      h.advanceMs(250);
      h.refuseProposed(); // the silent session's expiry, each time it is proposed
    }

    assertThat(a.answer(read)).as("b never acknowledged the failover").isNull();
    h.advanceMs(10);
    assertThat(h.replica.proposed).as("the refused expiry is proposed again").isNotEmpty();
  }

  @Test
  void aNoticeIsRepeatedUntilExplicitlyAcknowledged() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client a = h.connect().createSession();
    h.failOverTo(2, a);

    Message.KeepAliveResponse first = a.keepAliveAnswer(a.keepAlive());
    a.noticesToAck = EnumSet.noneOf(SessionNotice.class); // as if that answer had been lost
    Message.KeepAliveResponse again = a.keepAliveAnswer(a.keepAlive());
    assertThat(first.notices()).contains(SessionNotice.MASTER_FAILED_OVER);
    assertThat(again.notices()).contains(SessionNotice.MASTER_FAILED_OVER);
  }

  @Test
  void losingMastershipRedirectsEveryWaitingClient() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client c = h.connect().createSession();
    long handle = c.openHandle("f", true);
    long write = c.request(new Request.SetContents(handle, ByteString.utf8("x"), -1));
    long ka = c.keepAlive();

    h.replica.role = Role.FOLLOWER;
    h.replica.masterId = 3;
    h.replica.epoch = 4;
    h.tick();

    Message redirect = new Message.Redirect(ErrorCode.NOT_MASTER, "127.0.0.1:7103", 1);
    assertThat(c.answer(write)).isEqualTo(redirect);
    assertThat(c.answer(ka)).isEqualTo(redirect);
  }

  @Test
  void sessionsPerClientHostAreLimited() {
    MasterSettings two = new MasterSettings(12_000, 3_000, 2, 10, 10, 10);
    MasterHarness h = new MasterHarness(two).leading(1);
    h.connect().createSession();
    h.connect().createSession();
    Client third = h.connect();

    Message answer = third.answer(third.send(new Message.CreateSession(1)));

    assertThat(((Message.Response) answer).result())
        .isInstanceOfSatisfying(
            Result.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED));
  }

  @Test
  void beyondTheTrackedCacheLimitAnswersAreNotCachable() {
    MasterSettings one = new MasterSettings(12_000, 3_000, 10, 1, 10, 10);
    MasterHarness h = new MasterHarness(one).leading(1);
    Client c = h.connect().createSession();
    long first = c.openHandle("a", true);
    long second = c.openHandle("b", true);

    assertThat(c.call(new Request.GetStat(first)).cachable()).isTrue();
    assertThat(c.call(new Request.GetStat(second)).cachable()).isFalse();
    assertThat(c.call(new Request.GetStat(first)).cachable()).isTrue();
  }

  @Test
  void eventsBeyondTheLimitAreReplacedByAnEventsLostNotice() {
    MasterSettings few = new MasterSettings(12_000, 3_000, 10, 10, 3, 10);
    MasterHarness h = new MasterHarness(few).leading(1);
    Client watcher = h.connect().createSession();
    Client writer = h.connect().createSession();
    watcher.openHandle("w", true);
    long w = writer.openHandle("w", false);
    for (int i = 0; i < 5; i++) {
      writer.call(new Request.SetContents(w, ByteString.utf8("v" + i), -1));
    }

    Message.KeepAliveResponse r = watcher.keepAliveAnswer(watcher.keepAlive());

    assertThat(r.notices()).contains(SessionNotice.EVENTS_LOST);
    assertThat(r.events().size()).isLessThanOrEqualTo(3);
  }

  @Test
  void absenceIsCachableUntilTheNodeIsCreated() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client looker = h.connect().createSession();
    Client creator = h.connect().createSession();

    Message.Response absent = looker.call(MasterHarness.openFile("later", false));
    assertThat(((Result.Failure) absent.result()).code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(absent.cachable()).isTrue();

    long create = creator.request(MasterHarness.openFile("later", true));
    h.choose();
    assertThat(creator.answer(create)).as("waits for the looker's invalidation").isNull();
    Message.KeepAliveResponse r = looker.keepAliveAnswer(looker.keepAlive());
    assertThat(r.invalidations())
        .extracting(Message.Invalidation::path)
        .contains("/ls/local/later");
    looker.keepAlive();
    h.choose();
    assertThat(creator.answer(create)).isInstanceOf(Message.Response.class);
  }

  @Test
  void openingALockFileDoesNotMakeAcquiresWaitForTheOpener() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client a = h.connect().createSession();
    Client b = h.connect().createSession();
    long ha = a.openHandle("lock", true);
    b.openHandle("lock", false);

    assertThat(a.call(new Request.Acquire(ha, LockMode.EXCLUSIVE)).result())
        .isInstanceOf(Result.LockGranted.class);
  }

  @Test
  void aRequestTooLargeForOneLogEntryIsRefusedBeforePaxos() {
    MasterHarness h = new MasterHarness(SETTINGS).leading(1);
    Client c = h.connect().createSession();
    java.util.List<io.tumbler.lockservice.command.TxnOp> ops = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ops.add(
          new io.tumbler.lockservice.command.TxnOp.PutContents(
              "/ls/local/f" + i, ByteString.wrap(new byte[200 * 1024])));
    }

    Result r = c.call(new Request.Transaction(ops)).result();

    assertThat(r)
        .isInstanceOfSatisfying(
            Result.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.TOO_LARGE));
    assertThat(h.replica.proposed).isEmpty();
  }
}
