package io.tumbler.paxos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.message.Message;
import io.tumbler.paxos.storage.PersistentState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReplicaTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  private static PaxosConfig config(int replicas) {
    return PaxosConfig.builder(Membership.ofSize(replicas))
        .leaseDurationNanos(1000 * MS)
        .clockDriftPpm(1000)
        .heartbeatIntervalNanos(100 * MS)
        .electionTimeoutNanos(300 * MS)
        .electionJitterMaxNanos(100 * MS)
        .resendIntervalNanos(50 * MS)
        .catchUpRetryNanos(50 * MS)
        .maxSlotsInFlight(2)
        .maxBatchCommands(3)
        .maxBatchBytes(64)
        .maxCommandBytes(16)
        .maxPendingCommands(100)
        .catchUpChunkEntries(4)
        .snapshotChunkBytes(8)
        .snapshotChunksPerRequest(2)
        .logRetentionSlots(0)
        .build();
  }

  private static Replica replica(PaxosConfig config, int id) {
    return new Replica(config, id, PersistentState.EMPTY, new SplittableRandom(id), 0);
  }

  private static Command command(int n) {
    return new Command(new byte[] {(byte) n, 1, 2, 3});
  }

  @Test
  void electsAMasterWhoseBatchesEveryReplicaAppliesInOrder() {
    TestCell cell = new TestCell(config(3));
    cell.advanceTo(2000 * MS, 0, 1, 2);
    Replica leader = cell.leader();
    assertThat(leader).isNotNull();
    assertThat(leader.canServeReads(cell.now)).isTrue();
    List<Command> commands = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      commands.add(command(i));
    }
    cell.handle(leader, leader.propose(cell.now, commands));
    cell.deliverAll();
    cell.advanceTo(cell.now + 500 * MS, 0, 1, 2);

    List<Command> appliedAtLeader = new ArrayList<>();
    for (ChosenEntry entry : cell.applied.get(leader.id())) {
      assertThat(entry.value().commands().size()).isLessThanOrEqualTo(3);
      appliedAtLeader.addAll(entry.value().commands());
    }
    assertThat(appliedAtLeader).containsExactlyElementsOf(commands);
    for (List<ChosenEntry> applied : cell.applied) {
      assertThat(applied).isEqualTo(cell.applied.get(leader.id()));
    }
  }

  @Test
  void promiseIsAnsweredOnlyOnceItIsDurable() {
    PaxosConfig config = config(3);
    Replica acceptor = replica(config, 0);
    long after = config.leaseDurationNanos();
    Outputs outputs =
        acceptor.onMessage(after, new Envelope(1, 0, new Message.Prepare(new Ballot(1, 1), 1)));
    assertThat(outputs.persist()).isPresent();
    assertThat(outputs.messages()).isEmpty();
    Outputs released = acceptor.onPersisted(after, outputs.persist().get().token());
    assertThat(released.messages())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).isInstanceOf(Message.Promise.class));
  }

  @Test
  void freshReplicaRefusesEveryPromiseForOneLease() {
    PaxosConfig config = config(3);
    Replica acceptor = replica(config, 0);
    Outputs outputs =
        acceptor.onMessage(10 * MS, new Envelope(1, 0, new Message.Prepare(new Ballot(1, 1), 1)));
    assertThat(outputs.messages())
        .singleElement()
        .satisfies(
            e -> {
              Message.Reject reject = (Message.Reject) e.message();
              assertThat(reject.leaseRemainingNanos()).isEqualTo(990 * MS);
            });
  }

  @Test
  void acceptorRefusesAnotherProposerUntilItsGrantRunsOut() {
    PaxosConfig config = config(3);
    Replica acceptor = replica(config, 0);
    long t = config.leaseDurationNanos();
    Outputs first =
        acceptor.onMessage(t, new Envelope(1, 0, new Message.Prepare(new Ballot(1, 1), 1)));
    acceptor.onPersisted(t, first.persist().get().token());

    Outputs refused =
        acceptor.onMessage(
            t + 400 * MS, new Envelope(2, 0, new Message.Prepare(new Ballot(5, 2), 1)));
    assertThat(refused.messages().get(0).message()).isInstanceOf(Message.Reject.class);
    assertThat(acceptor.promised()).isEqualTo(new Ballot(1, 1));

    Outputs granted =
        acceptor.onMessage(
            t + 1000 * MS, new Envelope(2, 0, new Message.Prepare(new Ballot(5, 2), 1)));
    assertThat(granted.persist()).isPresent();
    assertThat(acceptor.promised()).isEqualTo(new Ballot(5, 2));
  }

  @Test
  void acceptorRejectsAnAcceptBelowItsPromise() {
    PaxosConfig config = config(3);
    Replica acceptor = replica(config, 0);
    long t = config.leaseDurationNanos();
    Outputs promise =
        acceptor.onMessage(t, new Envelope(2, 0, new Message.Prepare(new Ballot(3, 2), 1)));
    acceptor.onPersisted(t, promise.persist().get().token());
    Outputs outputs =
        acceptor.onMessage(
            t,
            new Envelope(
                1, 0, new Message.Accept(new Ballot(2, 1), 1, new Value(List.of(command(1))), 0)));
    assertThat(outputs.persist()).isEmpty();
    assertThat(outputs.messages())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .isEqualTo(new Message.Reject(new Ballot(2, 1), new Ballot(3, 2), 0)));
  }

  @Test
  void newMasterReproposesTheHighestBallotValueAndFillsHolesWithNoops() {
    // Quorum: itself and two more. A window wide enough to open all three slots at once.
    PaxosConfig config = config(5).toBuilder().maxSlotsInFlight(3).build();
    Replica candidate = replica(config, 0);
    long t = 2000 * MS;
    Outputs outputs = candidate.onTick(t);
    assertThat(candidate.role()).isEqualTo(Role.CANDIDATE);
    // Its ballot, then its own promise, once durable.
    while (outputs.persist().isPresent()) {
      outputs = candidate.onPersisted(t, outputs.persist().get().token());
    }
    Ballot ballot = candidate.promised();
    Value low = new Value(List.of(command(1)));
    Value high = new Value(List.of(command(2)));
    Value third = new Value(List.of(command(3)));
    List<AcceptedEntry> votes =
        List.of(
            new AcceptedEntry(1, new Ballot(1, 1), low),
            new AcceptedEntry(3, new Ballot(1, 1), third));
    candidate.onMessage(t, new Envelope(1, 0, new Message.Promise(ballot, 1, votes, false)));
    // Slot 1 from the other acceptor with a higher ballot: that value must win.
    Outputs leading =
        candidate.onMessage(
            t,
            new Envelope(
                2,
                0,
                new Message.Promise(
                    ballot, 1, List.of(new AcceptedEntry(1, new Ballot(2, 2), high)), false)));
    assertThat(candidate.role()).isEqualTo(Role.LEADER);
    List<Message.Accept> accepts = new ArrayList<>();
    for (Envelope e : leading.messages()) {
      if (e.message() instanceof Message.Accept accept && e.to() == 1) {
        accepts.add(accept);
      }
    }
    assertThat(accepts)
        .extracting(Message.Accept::slot, Message.Accept::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, high),
            org.assertj.core.groups.Tuple.tuple(2L, Value.NOOP),
            org.assertj.core.groups.Tuple.tuple(3L, third));
  }

  /** A candidate of a 5-replica cell whose own promise is in; returns its ballot. */
  private static Ballot candidacy(Replica candidate, long t) {
    Outputs outputs = candidate.onTick(t);
    assertThat(candidate.role()).isEqualTo(Role.CANDIDATE);
    while (outputs.persist().isPresent()) {
      outputs = candidate.onPersisted(t, outputs.persist().get().token());
    }
    return candidate.promised();
  }

  private static List<Message.Accept> acceptsTo(int replica, Outputs outputs) {
    List<Message.Accept> accepts = new ArrayList<>();
    for (Envelope e : outputs.messages()) {
      if (e.message() instanceof Message.Accept accept && e.to() == replica) {
        accepts.add(accept);
      }
    }
    return accepts;
  }

  @Test
  void promiseCarriesOnePageOfVotesAndTheRestComePageByPageWhileThePromiseHolds() {
    PaxosConfig config = config(3).toBuilder().promisePageBytes(64).build();
    Replica acceptor = replica(config, 0);
    long t = config.leaseDurationNanos();
    Ballot first = new Ballot(1, 1);
    Outputs promised = acceptor.onMessage(t, new Envelope(1, 0, new Message.Prepare(first, 1)));
    acceptor.onPersisted(t, promised.persist().get().token());
    List<AcceptedEntry> votes = new ArrayList<>();
    for (long slot = 1; slot <= 20; slot++) {
      Value value = slot % 3 == 0 ? Value.NOOP : new Value(List.of(command((int) slot)));
      votes.add(new AcceptedEntry(slot, first, value));
      Outputs accepted =
          acceptor.onMessage(t, new Envelope(1, 0, new Message.Accept(first, slot, value, 0)));
      acceptor.onPersisted(t, accepted.persist().get().token());
    }

    // Another candidate, once the grant to the first ran out.
    long later = t + config.leaseDurationNanos();
    Ballot second = new Ballot(2, 2);
    Outputs outputs = acceptor.onMessage(later, new Envelope(2, 0, new Message.Prepare(second, 1)));
    outputs = acceptor.onPersisted(later, outputs.persist().get().token());
    Message.Promise promise = (Message.Promise) outputs.messages().get(0).message();
    assertThat(promise.moreVotes()).isTrue();
    assertThat(promise.accepted().stream().mapToLong(AcceptedEntry::sizeBytes).sum())
        .isLessThanOrEqualTo(64);
    List<AcceptedEntry> gathered = new ArrayList<>(promise.accepted());
    boolean more = true;
    int pages = 1;
    while (more) {
      long from = gathered.get(gathered.size() - 1).slot() + 1;
      Outputs answer =
          acceptor.onMessage(
              later, new Envelope(2, 0, new Message.PromiseVotesRequest(second, from)));
      Message.PromiseVotes page = (Message.PromiseVotes) answer.messages().get(0).message();
      assertThat(page.fromSlot()).isEqualTo(from);
      assertThat(page.accepted().stream().mapToLong(AcceptedEntry::sizeBytes).sum())
          .isLessThanOrEqualTo(64);
      gathered.addAll(page.accepted());
      more = page.moreVotes();
      pages++;
    }
    assertThat(gathered).isEqualTo(votes);
    assertThat(pages).isGreaterThan(5);

    // Promised higher since: no more pages for the old ballot, a refusal instead.
    Ballot third = new Ballot(3, 1);
    Outputs higher =
        acceptor.onMessage(
            later + config.leaseDurationNanos(), new Envelope(1, 0, new Message.Prepare(third, 1)));
    acceptor.onPersisted(later + config.leaseDurationNanos(), higher.persist().get().token());
    Outputs refused =
        acceptor.onMessage(
            later + config.leaseDurationNanos(),
            new Envelope(2, 0, new Message.PromiseVotesRequest(second, 5)));
    assertThat(refused.messages())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).isEqualTo(new Message.Reject(second, third, 0)));
  }

  /**
   * Replica 1's promise comes in two pages; replica 2's in one. With its own, the candidate of a
   * 5-replica cell has three promises, but only two complete: it must fetch replica 1's second
   * page, which holds the only vote for slot 3, before it leads.
   */
  private static Outputs pagedElection(PaxosConfig config, List<Outputs> beforeLastPage) {
    Replica candidate = replica(config, 0);
    long t = 2000 * MS;
    Ballot ballot = candidacy(candidate, t);
    Value low = new Value(List.of(command(1)));
    Value high = new Value(List.of(command(2)));
    Value third = new Value(List.of(command(3)));
    beforeLastPage.add(
        candidate.onMessage(
            t,
            new Envelope(
                1,
                0,
                new Message.Promise(
                    ballot, 1, List.of(new AcceptedEntry(1, new Ballot(1, 1), low)), true))));
    beforeLastPage.add(
        candidate.onMessage(
            t,
            new Envelope(
                2,
                0,
                new Message.Promise(
                    ballot, 1, List.of(new AcceptedEntry(1, new Ballot(2, 2), high)), false))));
    if (candidate.role() == Role.LEADER) {
      return beforeLastPage.get(beforeLastPage.size() - 1);
    }
    return candidate.onMessage(
        t,
        new Envelope(
            1,
            0,
            new Message.PromiseVotes(
                ballot, 2, 1, List.of(new AcceptedEntry(3, new Ballot(1, 1), third)), false)));
  }

  @Test
  void candidateLeadsOnlyOnceItHasEveryPageOfAMajoritysVotes() {
    List<Outputs> beforeLastPage = new ArrayList<>();
    Outputs leading =
        pagedElection(
            config(5).toBuilder().promisePagesPerRequest(1).maxSlotsInFlight(3).build(),
            beforeLastPage);

    assertThat(beforeLastPage.get(0).messages())
        .extracting(Envelope::message)
        .containsExactly(new Message.PromiseVotesRequest(new Ballot(1, 0), 2));
    for (Outputs outputs : beforeLastPage) {
      assertThat(acceptsTo(1, outputs)).as("no accept before every page is in").isEmpty();
    }
    assertThat(acceptsTo(1, leading))
        .extracting(Message.Accept::slot, Message.Accept::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1L, new Value(List.of(command(2)))),
            org.assertj.core.groups.Tuple.tuple(2L, Value.NOOP),
            org.assertj.core.groups.Tuple.tuple(3L, new Value(List.of(command(3)))));
  }

  @Test
  void withTheRemainderIgnoredACandidateLeadsBlindToTheVotesOfLaterPages() {
    PaxosConfig buggy =
        config(5).toBuilder()
            .promisePagesPerRequest(1)
            .plantedBugs(new PlantedBugs(false, false, false, false, true))
            .build();
    Outputs leading = pagedElection(buggy, new ArrayList<>());

    // Slot 3's vote was on the page it never fetched: it recovers only slot 1.
    assertThat(acceptsTo(1, leading)).extracting(Message.Accept::slot).containsExactly(1L);
  }

  @Test
  void aCandidateFetchingTheVotesOfAMajorityKeepsItsPromisersAndIsNotPreempted() {
    PaxosConfig config = config(3).toBuilder().promisePagesPerRequest(1).build();
    Replica candidate = replica(config, 0);
    long t = 2000 * MS;
    Ballot ballot = candidacy(candidate, t);
    candidate.onMessage(
        t,
        new Envelope(
            1,
            0,
            new Message.Promise(
                ballot, 1, List.of(new AcceptedEntry(1, new Ballot(1, 1), Value.NOOP)), true)));
    assertThat(candidate.role()).isEqualTo(Role.CANDIDATE);

    // Paging goes on past the grants' lease; a rival's prepare finds the candidate's own grant
    // still binding, since promises from a majority are in.
    long later = t + config.leaseDurationNanos() + 100 * MS;
    for (long now = t + 5 * MS; now <= later; now += 5 * MS) {
      Outputs tick = candidate.onTick(now);
      for (Envelope e : tick.messages()) {
        if (e.message() instanceof Message.PromiseVotesRequest request && e.to() == 0) {
          // Its own acceptor answers (with an empty page): the request renews its grant.
          candidate.onMessage(now, e);
        }
      }
      // One more page now and then: the candidacy is making progress.
      if ((now - t) % (100 * MS) == 0) {
        long slot = 1 + (now - t) / (100 * MS);
        candidate.onMessage(
            now,
            new Envelope(
                1,
                0,
                new Message.PromiseVotes(
                    ballot,
                    slot,
                    1,
                    List.of(new AcceptedEntry(slot, new Ballot(1, 1), Value.NOOP)),
                    true)));
      }
    }
    assertThat(candidate.role()).isEqualTo(Role.CANDIDATE);
    Outputs rival =
        candidate.onMessage(later, new Envelope(2, 0, new Message.Prepare(ballot.nextFor(2), 1)));
    assertThat(rival.messages())
        .singleElement()
        .satisfies(
            e -> {
              Message.Reject reject = (Message.Reject) e.message();
              assertThat(reject.leaseRemainingNanos()).isPositive();
            });
    assertThat(candidate.role()).isEqualTo(Role.CANDIDATE);
  }

  /**
   * A replica that restarted from an old snapshot can win with a long stretch of slots to propose
   * again. It opens them a window at a time, as it does commands. Opened all at once, they flooded
   * the links and inboxes of a real cell until the heartbeats' acks were lost with the rest, and
   * the new master's lease with them, election after election: the election storms of the chaos
   * runs.
   */
  @Test
  void aNewMasterProposesTheSlotsItRecoversAWindowAtATime() {
    PaxosConfig config = config(5); // a window of two slots
    Replica candidate = replica(config, 0);
    long t = 2000 * MS;
    Ballot ballot = candidacy(candidate, t);
    List<AcceptedEntry> votes = new ArrayList<>();
    for (long slot = 1; slot <= 10; slot++) {
      votes.add(new AcceptedEntry(slot, new Ballot(1, 1), new Value(List.of(command((int) slot)))));
    }
    candidate.onMessage(t, new Envelope(1, 0, new Message.Promise(ballot, 1, votes, false)));
    Outputs leading =
        candidate.onMessage(t, new Envelope(2, 0, new Message.Promise(ballot, 1, votes, false)));
    assertThat(candidate.role()).isEqualTo(Role.LEADER);
    assertThat(acceptsTo(1, leading)).extracting(Message.Accept::slot).containsExactly(1L, 2L);
    // A command proposed during the recovery waits for it.
    Value last = new Value(List.of(command(99)));
    assertThat(acceptsTo(1, candidate.propose(t, last.commands()))).isEmpty();

    List<Message.Accept> opened = new ArrayList<>(acceptsTo(1, leading));
    for (long slot = 1; slot <= 10; slot++) {
      for (int acceptor = 1; acceptor <= 3; acceptor++) {
        Outputs outputs =
            candidate.onMessage(t, new Envelope(acceptor, 0, new Message.Accepted(ballot, slot)));
        opened.addAll(acceptsTo(1, outputs));
      }
    }
    List<Value> expected = new ArrayList<>();
    votes.forEach(vote -> expected.add(vote.value()));
    expected.add(last);
    assertThat(opened).extracting(Message.Accept::value).containsExactlyElementsOf(expected);
    assertThat(opened).extracting(Message.Accept::slot).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aLostPageRequestIsSentAgain() {
    PaxosConfig config = config(5);
    Replica candidate = replica(config, 0);
    long t = 2000 * MS;
    Ballot ballot = candidacy(candidate, t);
    candidate.onMessage(
        t,
        new Envelope(
            1,
            0,
            new Message.Promise(
                ballot, 1, List.of(new AcceptedEntry(1, new Ballot(1, 1), Value.NOOP)), true)));
    Outputs tick = candidate.onTick(t + config.resendIntervalNanos());
    assertThat(tick.messages())
        .extracting(Envelope::message)
        .contains(new Message.PromiseVotesRequest(ballot, 2));
  }

  @Test
  void masterStopsServingReadsAndStepsDownWhenItsLeaseRunsOut() {
    TestCell cell = new TestCell(config(3));
    cell.advanceTo(2000 * MS, 0, 1, 2);
    Replica leader = cell.leader();
    assertThat(leader).isNotNull();
    long masterLease = cell.config.masterLeaseNanos();
    // From now on nobody answers: only the leader ticks, and its messages are lost.
    long lastRenewal = cell.now;
    long t = cell.now;
    boolean servedUntilExpiry = true;
    while (t < lastRenewal + masterLease + 200 * MS) {
      t += MS;
      leader.onTick(t);
      cell.inFlight.clear();
      if (t < lastRenewal + masterLease - 100 * MS) {
        servedUntilExpiry &= leader.canServeReads(t);
      }
    }
    assertThat(servedUntilExpiry).isTrue();
    assertThat(leader.canServeReads(t)).isFalse();
    assertThat(leader.role()).isEqualTo(Role.FOLLOWER);
    // It no longer names itself as the master (clients asking it would come back for ever).
    assertThat(leader.leaderHint()).isEqualTo(-1);
  }

  @Test
  void aFollowerThatRunsForElectionNamesNoMaster() {
    TestCell cell = new TestCell(config(3));
    cell.advanceTo(2000 * MS, 0, 1, 2);
    Replica leader = cell.leader();
    Replica follower = cell.replicas.get((leader.id() + 1) % 3);
    assertThat(follower.leaderHint()).isEqualTo(leader.id());
    // The master falls silent: only the follower ticks, and its messages are lost.
    long t = cell.now;
    while (follower.role() != Role.CANDIDATE && t < cell.now + 60_000 * MS) {
      t += MS;
      follower.onTick(t);
      cell.inFlight.clear();
    }
    assertThat(follower.role()).isEqualTo(Role.CANDIDATE);
    assertThat(follower.leaderHint()).isEqualTo(-1);
  }

  /**
   * A follower frozen (SIGSTOP) far past its election timeout wakes up to timers that all ran out,
   * with the master's heartbeats still unread in its sockets. Its first tick comes before them (the
   * worst order): it must not run, or its higher ballot would make the healthy master step down and
   * be elected again under a new epoch.
   */
  @Test
  void aFollowerWakingFromAStallHearsTheMasterBeforeItRuns() {
    TestCell cell = new TestCell(config(3));
    cell.advanceTo(2000 * MS, 0, 1, 2);
    Replica leader = cell.leader();
    Ballot ballot = leader.promised();
    int frozenId = (leader.id() + 1) % 3;
    int otherId = (leader.id() + 2) % 3;
    List<Envelope> unread = new ArrayList<>();
    cell.network =
        e -> {
          if (e.to() == frozenId) {
            unread.add(e);
            return null;
          }
          return e;
        };
    cell.advanceTo(cell.now + 10 * cell.config.leaseDurationNanos(), leader.id(), otherId);
    assertThat(leader.role()).isEqualTo(Role.LEADER);

    cell.network = e -> e;
    Replica frozen = cell.replicas.get(frozenId);
    cell.handle(frozen, frozen.onTick(cell.now));
    cell.inFlight.addAll(unread);
    cell.deliverAll();
    cell.advanceAllTo(cell.now + 10 * cell.config.leaseDurationNanos());

    assertThat(leader.role()).isEqualTo(Role.LEADER);
    assertThat(leader.promised()).as("the master's ballot: no new epoch").isEqualTo(ballot);
    assertThat(frozen.role()).isEqualTo(Role.FOLLOWER);
    assertThat(frozen.leaderHint()).isEqualTo(leader.id());
  }

  @Test
  void masterCountsItsLeaseWithTheDriftMargin() {
    PaxosConfig config = config(3);
    assertThat(config.masterLeaseNanos()).isLessThan(config.leaseDurationNanos());
    // (1 - 2 * 1000 ppm) of a second, minus a nanosecond of rounding.
    assertThat(config.masterLeaseNanos()).isEqualTo(998 * MS - 1);
  }

  @Test
  void configRejectsLimitsThatContradictEachOther() {
    assertThatThrownBy(() -> config(3).toBuilder().maxBatchBytes(8).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("largest command");
    assertThatThrownBy(() -> config(3).toBuilder().heartbeatIntervalNanos(500 * MS).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("renew");
  }

  @Test
  void followerRefusesProposalsAndPointsAtTheMaster() {
    TestCell cell = new TestCell(config(3));
    cell.advanceTo(2000 * MS, 0, 1, 2);
    Replica leader = cell.leader();
    Replica follower = cell.replicas.get((leader.id() + 1) % 3);
    Outputs outputs = follower.propose(cell.now, List.of(command(9)));
    assertThat(outputs.refused()).containsExactly(command(9));
    assertThat(follower.leaderHint()).isEqualTo(leader.id());
  }

  @Test
  void followerDoesNotRunWhileItsGrantToTheMasterHolds() {
    PaxosConfig config = config(3);
    Replica follower = replica(config, 0);
    long t = config.leaseDurationNanos();
    Outputs promise =
        follower.onMessage(t, new Envelope(1, 0, new Message.Prepare(new Ballot(1, 1), 1)));
    follower.onPersisted(t, promise.persist().get().token());
    // The master goes quiet. Past the election timeout and its jitter the grant still holds.
    long quietLimit = t + config.electionTimeoutNanos() + config.electionJitterMaxNanos();
    for (long now = t; now <= quietLimit; now += 5 * MS) {
      follower.onTick(now);
    }
    assertThat(follower.role()).isEqualTo(Role.FOLLOWER);
    // Once the grant ran out (plus at most the jitter) it runs.
    long grantEnd = t + config.leaseDurationNanos();
    for (long now = quietLimit; now <= grantEnd + config.electionJitterMaxNanos(); now += 5 * MS) {
      follower.onTick(now);
      if (follower.role() == Role.CANDIDATE) {
        assertThat(now).isGreaterThanOrEqualTo(grantEnd);
        return;
      }
    }
    throw new AssertionError("follower never ran after its grant ran out");
  }
}
