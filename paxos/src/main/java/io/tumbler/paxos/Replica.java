package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;
import static com.google.common.base.Verify.verify;

import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.message.Message;
import io.tumbler.paxos.message.Message.Accept;
import io.tumbler.paxos.message.Message.Accepted;
import io.tumbler.paxos.message.Message.CatchUpReply;
import io.tumbler.paxos.message.Message.CatchUpRequest;
import io.tumbler.paxos.message.Message.Heartbeat;
import io.tumbler.paxos.message.Message.HeartbeatAck;
import io.tumbler.paxos.message.Message.Prepare;
import io.tumbler.paxos.message.Message.Promise;
import io.tumbler.paxos.message.Message.PromiseVotes;
import io.tumbler.paxos.message.Message.PromiseVotesRequest;
import io.tumbler.paxos.message.Message.Reject;
import io.tumbler.paxos.message.Message.SnapshotChunk;
import io.tumbler.paxos.message.Message.SnapshotChunkRequest;
import io.tumbler.paxos.storage.PersistRequest;
import io.tumbler.paxos.storage.PersistentState;
import io.tumbler.paxos.storage.StorageRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import java.util.zip.CRC32C;

/**
 * One replica of a Multi-Paxos cell: acceptor, learner and (when master) the distinguished
 * proposer. Pure and single-threaded: it does no I/O, reads no clock and owns no randomness. The
 * driver steps it with {@link #onMessage}, {@link #onTick}, {@link #propose}, {@link #onPersisted},
 * {@link #onSnapshotTaken} and {@link #onSnapshotUnavailable}, each given the replica's own clock
 * reading, and carries out the returned {@link Outputs}.
 *
 * <p>Durability contract: a promise or an accept is answered only after the records it depends on
 * were reported durable through {@link #onPersisted}. The core holds such answers itself; every
 * message in an {@link Outputs} may be sent at once.
 *
 * <p>Lease contract: an acceptor that promises (or acknowledges a heartbeat) grants the proposer a
 * lease of {@link PaxosConfig#leaseDurationNanos()} on its own clock and promises no other replica
 * until it runs out. After a restart it promises nobody for a full lease, since it forgot whom it
 * granted. The master counts {@link PaxosConfig#masterLeaseNanos()} from the moment it sent the
 * request a majority answered.
 *
 * <p>Snapshot contract: the core never holds a snapshot's bytes. It names snapshots by {@link
 * SnapshotRef}; the driver stores them, reads the chunks the core asks it to send, and streams a
 * snapshot into the application when the core says so. A snapshot received from another replica
 * passes through one chunk at a time, into storage ({@link
 * io.tumbler.paxos.storage.StorageRecord.IncomingSnapshotChunk}); its checksum is verified over the
 * whole body and it is made durable before it is installed.
 */
public final class Replica {

  private final PaxosConfig config;
  private final int id;
  private final RandomGenerator random;
  private final long masterLeaseNanos;

  // ---- acceptor (mirrors what was handed to storage) ----
  private Ballot promised;
  private final TreeMap<Long, AcceptedEntry> accepted = new TreeMap<>();
  private int grantHolder = -1;
  private long grantExpiresAtNanos;
  private final long refusePromisesUntilNanos;

  // ---- learner ----
  /** Chosen values held: every slot in [chosenFloor, commitIndex], and some above. */
  private final TreeMap<Long, Value> chosen = new TreeMap<>();

  private long chosenFloor;

  private long commitIndex;
  private long appliedIndex;
  private long highestCommitSeen;
  private int catchUpSource = -1;
  private long catchUpRetryAtNanos;

  // ---- snapshots (references only: the bytes stay in the driver's storage) ----
  /** The newest snapshot this replica holds, or null. */
  private SnapshotRef snapshot;

  private long snapshotIndex;

  /** False once the driver reported it cannot read {@link #snapshot}: serve none until the next. */
  private boolean snapshotServable;

  /** Snapshots being sent, per receiving replica (at most one each). */
  private final Map<Integer, SnapshotRef> transfers = new HashMap<>();

  // ---- a snapshot being received ----
  /** The index of the snapshot a transfer fetches, or -1 when none runs. */
  private long receivingSnapshotIndex = -1;

  /** What the first chunk said that snapshot is; null until it arrived. */
  private SnapshotRef incoming;

  /** Bytes of {@link #incoming} handed to storage, contiguous from 0. */
  private long incomingBytes;

  private final CRC32C incomingChecksum = new CRC32C();

  /** Where the window of chunks asked for last ends. */
  private long incomingWindowEnd;

  /**
   * A persist token that must be reported before the next window is asked for (0: none), so at most
   * one window of a snapshot waits in memory for the disk.
   */
  private long incomingWindowToken;

  /** A received snapshot being made durable before it is installed, and its token; or null. */
  private SnapshotRef installing;

  private long installingToken;

  /** Received snapshots refused because their checksum did not match: diagnostics. */
  private long snapshotsRefused;

  // ---- election ----
  private Role role = Role.FOLLOWER;
  private Ballot highestBallotSeen;
  private Ballot ballot = Ballot.ZERO;
  private int leaderHint = -1;
  private long lastHeardFromLeaderNanos;
  private long electionJitterNanos;

  /** When {@link #onTick} last ran, to notice a stall; unset before the first tick. */
  private long lastTickNanos;

  private boolean ticked;

  // ---- candidate ----
  /** Per acceptor that promised this candidacy, the votes its promise reported so far. */
  private final Map<Integer, PromisedVotes> promises = new HashMap<>();

  private long prepareSentAtNanos;
  private long prepareResendAtNanos;
  private long prepareFromSlot;
  private long candidacyDeadlineNanos;

  // ---- master ----
  private long nextSlot;
  private long recoveryEndSlot;

  /**
   * The slots a new master must propose again before any command, each with the value phase 1 chose
   * for it, not yet opened: they open as the window allows, like commands. A replica that restarted
   * from an old snapshot may win with tens of thousands of them, and opening them all at once
   * floods every link and inbox until heartbeats and their acks are lost with the rest.
   */
  private final TreeMap<Long, Value> toRecover = new TreeMap<>();

  private final TreeMap<Long, InFlight> inFlight = new TreeMap<>();
  private final ArrayDeque<Command> pending = new ArrayDeque<>();
  private long leaseExpiresAtNanos;

  /**
   * A new master leads at least until then, lease or not: one whose phase 1 outlasted its lease
   * (many pages of votes) must get the chance to win a lease with its first heartbeats.
   */
  private long leadAtLeastUntilNanos;

  private boolean leaseAnnounced;
  private long heartbeatRound;
  private final TreeMap<Long, HeartbeatRound> rounds = new TreeMap<>();
  private long nextHeartbeatAtNanos;
  private String lastStepDownReason = "";

  // ---- persistence ----
  private long lastIssuedToken;
  private long lastDurableToken;
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private final List<StorageRecord> stepRecords = new ArrayList<>();

  // ---- the current step ----
  private long now;
  private final ArrayDeque<Envelope> local = new ArrayDeque<>();
  private final List<Envelope> outMessages = new ArrayList<>();
  private final List<SnapshotChunkSend> outChunkSends = new ArrayList<>();
  private final List<ChosenEntry> outApply = new ArrayList<>();
  private final List<Command> outRefused = new ArrayList<>();
  private final List<Event> outEvents = new ArrayList<>();
  private SnapshotRef outSnapshot;
  private boolean inStep;

  private static final class InFlight {
    final Value value;
    final Set<Integer> acks = new HashSet<>();
    long lastSentAtNanos;

    InFlight(Value value, long sentAtNanos) {
      this.value = value;
      this.lastSentAtNanos = sentAtNanos;
    }
  }

  private static final class HeartbeatRound {
    final long sentAtNanos;
    final Set<Integer> acks = new HashSet<>();

    HeartbeatRound(long sentAtNanos) {
      this.sentAtNanos = sentAtNanos;
    }
  }

  private record Held(long token, Envelope envelope) {}

  /**
   * The votes one acceptor reports with its promise, gathered page by page. Until they are {@code
   * complete} the candidate does not count that promise towards leading: proposing in a slot whose
   * votes it has not seen from a majority could overwrite a chosen value.
   */
  private static final class PromisedVotes {
    final List<AcceptedEntry> votes = new ArrayList<>();
    boolean complete;

    /** The slot the next page starts from, while not complete. */
    long nextSlot;

    /** Pages that arrived before the one they follow (at most a window of them), by first slot. */
    final TreeMap<Long, VotePage> early = new TreeMap<>();

    /** When the last request went out or the last page came in. */
    long progressAtNanos;

    /** Pages taken since the last request: a full window means asking for the next. */
    int pagesOfWindow;

    PromisedVotes(long fromSlot, long nowNanos) {
      this.nextSlot = fromSlot;
      this.progressAtNanos = nowNanos;
    }
  }

  /** A page of votes from {@code fromSlot} on, and whether more follow it. */
  private record VotePage(long fromSlot, List<AcceptedEntry> votes, boolean more) {}

  /**
   * Starts (or restarts) replica {@code id} from what its storage holds. It refuses every promise
   * for one lease duration: it cannot know whom it granted a lease before it stopped.
   */
  public Replica(
      PaxosConfig config, int id, PersistentState state, RandomGenerator random, long nowNanos) {
    this.config = checkNotNull(config, "config");
    checkArgument(
        config.membership().contains(id), "replica %s not in %s", id, config.membership());
    this.id = id;
    this.random = checkNotNull(random, "random");
    this.masterLeaseNanos = config.masterLeaseNanos();
    this.now = nowNanos;
    Ballot highest = state.promised();
    for (AcceptedEntry entry : state.accepted().values()) {
      accepted.put(entry.slot(), entry);
      if (entry.ballot().isAbove(highest)) {
        highest = entry.ballot();
      }
    }
    this.promised = highest;
    this.highestBallotSeen = state.proposed().isAbove(highest) ? state.proposed() : highest;
    this.snapshot = state.snapshot().orElse(null);
    this.snapshotIndex = state.snapshotIndex();
    this.snapshotServable = snapshot != null;
    this.commitIndex = snapshotIndex;
    this.chosenFloor = snapshotIndex + 1;
    this.appliedIndex = snapshotIndex;
    this.highestCommitSeen = snapshotIndex;
    this.refusePromisesUntilNanos = nowNanos + config.leaseDurationNanos();
    this.grantExpiresAtNanos = nowNanos;
    this.lastHeardFromLeaderNanos = nowNanos;
    this.electionJitterNanos = drawJitter();
  }

  // =====================================================================================
  // Public API: steps
  // =====================================================================================

  /** A message from another replica arrived. */
  public Outputs onMessage(long nowNanos, Envelope envelope) {
    checkArgument(envelope.to() == id, "message for %s delivered to %s", envelope.to(), id);
    checkArgument(
        config.membership().contains(envelope.from()), "message from non-member %s", envelope);
    begin(nowNanos);
    handle(envelope);
    return finish();
  }

  /** Time advanced: run timers (heartbeats, lease expiry, elections, resends, catch-up). */
  public Outputs onTick(long nowNanos) {
    begin(nowNanos);
    noticeStall();
    tick();
    return finish();
  }

  /**
   * The driver ticks every few milliseconds, so a gap between ticks longer than the election
   * timeout means the timeout ran out while this replica was not running: its process was stopped
   * (SIGSTOP), its machine froze, a collector paused it. The master's heartbeats may be waiting
   * unread in its sockets. Silence it could not have heard is no sign that the master is gone, so a
   * follower starts its quiet timer again rather than run at once: a candidacy from a replica that
   * only just woke up raises its own promise above the master's ballot, refuses the master, and
   * makes a healthy master step down and be elected again — a needless failover for every client.
   * (Shorter gaps are left alone: a replica starved of CPU that ticks late every time must still be
   * able to run.)
   */
  private void noticeStall() {
    if (ticked && now - lastTickNanos > config.electionTimeoutNanos() && role == Role.FOLLOWER) {
      lastHeardFromLeaderNanos = Math.max(lastHeardFromLeaderNanos, now);
    }
    ticked = true;
    lastTickNanos = now;
  }

  /**
   * The application proposes commands. The master queues them into batched slots; any other replica
   * refuses them (see {@link Outputs#refused()} and {@link #leaderHint()}).
   */
  public Outputs propose(long nowNanos, List<Command> commands) {
    begin(nowNanos);
    for (Command command : commands) {
      checkArgument(
          command.sizeBytes() <= config.maxCommandBytes(),
          "command of %s bytes exceeds maxCommandBytes %s",
          command.sizeBytes(),
          config.maxCommandBytes());
      if (role == Role.LEADER && pending.size() < config.maxPendingCommands()) {
        pending.addLast(command);
      } else {
        outRefused.add(command);
      }
    }
    fillWindow();
    return finish();
  }

  /** Every persist request up to {@code token} is durable. */
  public Outputs onPersisted(long nowNanos, long token) {
    begin(nowNanos);
    checkArgument(
        token <= lastIssuedToken, "token %s never issued (last %s)", token, lastIssuedToken);
    if (token > lastDurableToken) {
      lastDurableToken = token;
      while (!held.isEmpty() && held.peekFirst().token() <= lastDurableToken) {
        send(held.pollFirst().envelope());
      }
      if (installing != null && installingToken <= lastDurableToken) {
        installSnapshot();
      }
      if (incomingWindowToken != 0 && incomingWindowToken <= lastDurableToken) {
        incomingWindowToken = 0; // storage took the last window: ask for the next
        catchUpRetryAtNanos = now;
        maybeRequestCatchUp();
      }
    }
    return finish();
  }

  /**
   * The driver wrote the application's state after applying {@code snapshot.index()} to storage and
   * made it durable ({@link io.tumbler.paxos.storage.SnapshotFiles#write}): the log up to it may be
   * dropped, and replicas that need those entries get the snapshot instead.
   */
  public Outputs onSnapshotTaken(long nowNanos, SnapshotRef snapshot) {
    begin(nowNanos);
    checkNotNull(snapshot, "snapshot");
    checkArgument(
        snapshot.index() <= appliedIndex,
        "snapshot at %s beyond applied %s",
        snapshot.index(),
        appliedIndex);
    // While a newer snapshot received from another replica is being made durable, this one is
    // already superseded: storage may even have deleted it.
    if (snapshot.index() > snapshotIndex && installing == null) {
      adoptSnapshot(snapshot);
      persist(new StorageRecord.SnapshotTaken(snapshot, servedSnapshots()));
    }
    return finish();
  }

  /**
   * The driver could not read the stored snapshot at {@code index} to send a chunk of it (deleted
   * or damaged). Transfers pinned to it restart on the newest snapshot; if that is the one, none is
   * served until the next snapshot is taken or installed.
   */
  public Outputs onSnapshotUnavailable(long nowNanos, long index) {
    begin(nowNanos);
    transfers.values().removeIf(pinned -> pinned.index() == index);
    if (snapshot != null && snapshot.index() == index) {
      snapshotServable = false;
    }
    return finish();
  }

  // =====================================================================================
  // Public API: queries
  // =====================================================================================

  public int id() {
    return id;
  }

  public Role role() {
    return role;
  }

  /** Why this replica last stopped being master or candidate ("" if it never did): diagnostics. */
  public String lastStepDownReason() {
    return lastStepDownReason;
  }

  /** The epoch of the mastership this replica leads or last followed (0 before any). */
  public long epoch() {
    if (role == Role.LEADER) {
      return ballot.epoch();
    }
    return promised.epoch();
  }

  /** The master as far as this replica knows, or -1. */
  public int leaderHint() {
    return role == Role.LEADER ? id : leaderHint;
  }

  public long commitIndex() {
    return commitIndex;
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  public long snapshotIndex() {
    return snapshotIndex;
  }

  /** The newest snapshot this replica holds, if any. */
  public Optional<SnapshotRef> snapshot() {
    return Optional.ofNullable(snapshot);
  }

  /** The index of the snapshot being received from another replica, or -1. */
  public long receivingSnapshotIndex() {
    return receivingSnapshotIndex;
  }

  /** How many received snapshots failed their checksum and were fetched again. */
  public long snapshotsRefused() {
    return snapshotsRefused;
  }

  public Ballot promised() {
    return promised;
  }

  /** True while this replica is master and its lease provably holds at {@code nowNanos}. */
  public boolean holdsLease(long nowNanos) {
    return role == Role.LEADER && nowNanos < leaseExpiresAtNanos;
  }

  /**
   * True only while this replica may answer reads from its own state: it is master, its lease holds
   * and it has applied everything chosen before its mastership.
   */
  public boolean canServeReads(long nowNanos) {
    return holdsLease(nowNanos) && appliedIndex >= recoveryEndSlot;
  }

  @Override
  public String toString() {
    return "Replica{id="
        + id
        + ", role="
        + role
        + ", ballot="
        + ballot
        + ", promised="
        + promised
        + ", commit="
        + commitIndex
        + ", applied="
        + appliedIndex
        + ", snapshot="
        + snapshotIndex
        + ", leaseUntil="
        + leaseExpiresAtNanos
        + (lastStepDownReason.isEmpty() ? "" : ", lastStepDown=" + lastStepDownReason)
        + "}";
  }

  // =====================================================================================
  // Step plumbing
  // =====================================================================================

  private void begin(long nowNanos) {
    checkState(!inStep, "re-entrant step");
    checkArgument(nowNanos >= now, "time went backwards: %s < %s", nowNanos, now);
    now = nowNanos;
    inStep = true;
  }

  private Outputs finish() {
    while (!local.isEmpty()) {
      handle(local.pollFirst());
    }
    Optional<PersistRequest> persist = Optional.empty();
    if (!stepRecords.isEmpty()) {
      lastIssuedToken++;
      persist = Optional.of(new PersistRequest(lastIssuedToken, stepRecords));
      stepRecords.clear();
    }
    Outputs outputs =
        new Outputs(
            persist,
            outMessages,
            outChunkSends,
            Optional.ofNullable(outSnapshot),
            outApply,
            outRefused,
            outEvents);
    outMessages.clear();
    outChunkSends.clear();
    outApply.clear();
    outRefused.clear();
    outEvents.clear();
    outSnapshot = null;
    inStep = false;
    checkInvariants();
    return outputs;
  }

  private void checkInvariants() {
    verify(appliedIndex == commitIndex, "applied %s != commit %s", appliedIndex, commitIndex);
    verify(commitIndex >= snapshotIndex, "commit %s below snapshot %s", commitIndex, snapshotIndex);
    verify(!promised.isAbove(highestBallotSeen), "promised above highest seen");
    if (role == Role.LEADER) {
      verify(ballot.replicaId() == id, "leading under a foreign ballot %s", ballot);
      verify(nextSlot > commitIndex, "next slot %s at or below commit %s", nextSlot, commitIndex);
      verify(
          inFlight.isEmpty() || inFlight.lastKey() - commitIndex <= config.maxSlotsInFlight(),
          "slot %s open beyond the window above commit %s",
          inFlight.isEmpty() ? 0 : inFlight.lastKey(),
          commitIndex);
    }
    verify(lastDurableToken <= lastIssuedToken, "durable token beyond issued");
    verify(
        installing == null || installing.index() > commitIndex,
        "installing %s at or below commit %s",
        installing,
        commitIndex);
    verify(
        snapshot == null ? snapshotIndex == 0 : snapshot.index() == snapshotIndex,
        "snapshot %s at index %s",
        snapshot,
        snapshotIndex);
  }

  private void send(int to, Message message) {
    send(new Envelope(id, to, message));
  }

  private void send(Envelope envelope) {
    if (envelope.to() == id) {
      local.addLast(envelope);
    } else {
      outMessages.add(envelope);
    }
  }

  private void sendToAll(Message message) {
    for (int member : config.membership().replicaIds()) {
      send(member, message);
    }
  }

  /** Sends an answer only once every record written so far is durable. */
  private void sendWhenDurable(int to, Message message) {
    Envelope envelope = new Envelope(id, to, message);
    long token;
    if (!stepRecords.isEmpty()) {
      token = lastIssuedToken + 1;
    } else if (lastIssuedToken > lastDurableToken) {
      token = lastIssuedToken;
    } else {
      send(envelope);
      return;
    }
    if (config.plantedBugs().ackBeforePersist()) {
      send(envelope);
      return;
    }
    held.addLast(new Held(token, envelope));
  }

  private void persist(StorageRecord record) {
    stepRecords.add(record);
  }

  private long drawJitter() {
    return random.nextLong(config.electionJitterMaxNanos());
  }

  private void handle(Envelope envelope) {
    int from = envelope.from();
    Message message = envelope.message();
    if (message instanceof Prepare prepare) {
      onPrepare(from, prepare);
    } else if (message instanceof Promise promise) {
      onPromise(from, promise);
    } else if (message instanceof PromiseVotesRequest request) {
      onPromiseVotesRequest(from, request);
    } else if (message instanceof PromiseVotes page) {
      onPromiseVotes(from, page);
    } else if (message instanceof Reject reject) {
      onReject(from, reject);
    } else if (message instanceof Accept accept) {
      onAccept(from, accept);
    } else if (message instanceof Accepted acceptedMessage) {
      onAccepted(from, acceptedMessage);
    } else if (message instanceof Heartbeat heartbeat) {
      onHeartbeat(from, heartbeat);
    } else if (message instanceof HeartbeatAck ack) {
      onHeartbeatAck(from, ack);
    } else if (message instanceof CatchUpRequest request) {
      onCatchUpRequest(from, request);
    } else if (message instanceof CatchUpReply reply) {
      onCatchUpReply(from, reply);
    } else if (message instanceof SnapshotChunkRequest request) {
      onSnapshotChunkRequest(from, request);
    } else if (message instanceof SnapshotChunk chunk) {
      onSnapshotChunk(from, chunk);
    } else {
      throw new AssertionError("unhandled message " + message);
    }
  }

  private void observe(Ballot seen) {
    if (seen.isAbove(highestBallotSeen)) {
      highestBallotSeen = seen;
    }
  }

  // =====================================================================================
  // Acceptor
  // =====================================================================================

  private long promiseRefusalRemaining(int candidate) {
    return Math.max(0, promisesRefusedUntil(candidate) - now);
  }

  /** Until when (own clock) this acceptor refuses to promise {@code candidate}. */
  private long promisesRefusedUntil(int candidate) {
    long until = refusePromisesUntilNanos;
    // A grant to our own candidacy protects nothing while it is one of several that may still
    // win: yielding it makes us step down in the same step (see raisePromise), so it never both
    // counts and is given away, and rival candidates never block each other. Once promises from
    // a majority are in, no rival can win before their grants run out, so the candidacy keeps its
    // own while it fetches the votes.
    boolean selfGrantBinds = grantHolder != id || role == Role.LEADER || holdsPromiseMajority();
    if (grantHolder >= 0 && grantHolder != candidate && selfGrantBinds) {
      until = Math.max(until, grantExpiresAtNanos);
    }
    return until;
  }

  private boolean holdsPromiseMajority() {
    return role == Role.CANDIDATE && promises.size() >= config.membership().quorumSize();
  }

  private void grantLease(int holder) {
    grantHolder = holder;
    grantExpiresAtNanos = now + config.leaseDurationNanos();
  }

  /** Raises the promise to {@code to} (durably); steps down if someone else now leads higher. */
  private void raisePromise(Ballot to, int from) {
    verify(to.isAtLeast(promised), "promise may only rise");
    if (to.isAbove(promised)) {
      promised = to;
      persist(new StorageRecord.PromiseRecord(to));
    }
    if (to.replicaId() != id && role != Role.FOLLOWER && to.isAbove(ballot)) {
      becomeFollower("saw ballot " + to + " from " + from);
    }
  }

  private void onPrepare(int from, Prepare prepare) {
    observe(prepare.ballot());
    Ballot b = prepare.ballot();
    verify(b.replicaId() == from, "prepare %s not sent by its owner %s", b, from);
    if (!b.isAtLeast(promised)) {
      send(from, new Reject(b, promised, 0));
      return;
    }
    long refusal = promiseRefusalRemaining(from);
    if (refusal > 0) {
      send(from, new Reject(b, promised, refusal));
      // A candidate is at work and will ask again (it re-sends its prepare): hold off our own
      // election, which would only raise a rival ballot it then runs into.
      lastHeardFromLeaderNanos = now;
      return;
    }
    raisePromise(b, from);
    grantLease(from);
    long logStart = snapshotIndex + 1;
    List<VotePage> pages = votePages(Math.max(prepare.fromSlot(), logStart));
    VotePage first = pages.get(0);
    sendWhenDurable(from, new Promise(b, logStart, first.votes(), first.more()));
    sendVotePages(from, b, logStart, pages.subList(1, pages.size()));
  }

  private void sendVotePages(int to, Ballot b, long logStart, List<VotePage> pages) {
    for (VotePage page : pages) {
      sendWhenDurable(
          to, new PromiseVotes(b, page.fromSlot(), logStart, page.votes(), page.more()));
    }
  }

  /**
   * The next page of votes a promise reports. Only while the promise is still the one asked about:
   * having promised it, this acceptor accepts nothing below it, and nothing under it until that
   * candidate leads, so the votes it reports are those it held when it promised.
   */
  private void onPromiseVotesRequest(int from, PromiseVotesRequest request) {
    observe(request.ballot());
    verify(
        request.ballot().replicaId() == from,
        "votes for %s asked by another replica, %s",
        request.ballot(),
        from);
    if (!request.ballot().equals(promised)) {
      if (promised.isAbove(request.ballot())) {
        send(from, new Reject(request.ballot(), promised, 0));
      }
      return;
    }
    // The candidate we promised is still at work: like a prepare of the same ballot, this renews
    // the grant to it and holds off our own election, so a long paging is not cut short by a
    // rival whose prepare would only restart it.
    grantLease(from);
    if (from != id) {
      lastHeardFromLeaderNanos = now;
    }
    long logStart = snapshotIndex + 1;
    List<VotePage> pages = votePages(Math.max(request.fromSlot(), logStart));
    // The first page answers for the slot asked about, even if compaction moved the log past it.
    VotePage first = pages.get(0);
    pages.set(0, new VotePage(request.fromSlot(), first.votes(), first.more()));
    sendVotePages(from, request.ballot(), logStart, pages);
  }

  /**
   * A window of pages of votes from {@code fromSlot} on, in slot order: at most {@link
   * PaxosConfig#promisePagesPerRequest()} pages, each at most a page of bytes but at least one vote
   * (the first may be empty: there are none). Each page after the first starts where the one before
   * it ended.
   */
  private List<VotePage> votePages(long fromSlot) {
    List<VotePage> pages = new ArrayList<>();
    List<AcceptedEntry> votes = new ArrayList<>();
    long pageFrom = fromSlot;
    long bytes = 0;
    for (AcceptedEntry vote : accepted.tailMap(fromSlot, true).values()) {
      long size = vote.sizeBytes();
      if (!votes.isEmpty() && bytes + size > config.promisePageBytes()) {
        pages.add(new VotePage(pageFrom, votes, true));
        if (pages.size() == config.promisePagesPerRequest()) {
          return pages;
        }
        pageFrom = votes.get(votes.size() - 1).slot() + 1;
        votes = new ArrayList<>();
        bytes = 0;
      }
      votes.add(vote);
      bytes += size;
    }
    pages.add(new VotePage(pageFrom, votes, false));
    return pages;
  }

  private void onAccept(int from, Accept accept) {
    observe(accept.ballot());
    Ballot b = accept.ballot();
    verify(b.replicaId() == from, "accept %s not sent by its owner %s", b, from);
    if (!b.isAtLeast(promised)) {
      if (!config.plantedBugs().acceptBelowPromise()) {
        send(from, new Reject(b, promised, 0));
        return;
      }
    } else {
      raisePromise(b, from);
      heardFromLeader(from);
    }
    long slot = accept.slot();
    // Below the snapshot the slot is chosen and durably covered by the snapshot; at or above it
    // the vote is recorded even when the slot is known chosen, so every Accepted we send is backed
    // by a durable vote or snapshot.
    if (slot > snapshotIndex) {
      AcceptedEntry previous = accepted.get(slot);
      if (previous == null || !previous.ballot().equals(b)) {
        AcceptedEntry entry = new AcceptedEntry(slot, b, accept.value());
        accepted.put(slot, entry);
        persist(new StorageRecord.AcceptRecord(entry));
      } else {
        verify(previous.value().equals(accept.value()), "two values for one slot and ballot");
      }
    }
    sendWhenDurable(from, new Accepted(b, slot));
    if (b.equals(promised)) {
      learnCommit(from, b, accept.commitIndex());
    }
  }

  private void onHeartbeat(int from, Heartbeat heartbeat) {
    observe(heartbeat.ballot());
    Ballot b = heartbeat.ballot();
    verify(b.replicaId() == from, "heartbeat %s not sent by its owner %s", b, from);
    if (!b.isAtLeast(promised)) {
      send(from, new Reject(b, promised, 0));
      return;
    }
    raisePromise(b, from);
    heardFromLeader(from);
    // A heartbeat under the promised ballot comes from a master that completed phase 1 with a
    // majority, each of which refused others while earlier grants ran: extending the grant to it
    // cannot overlap another master's lease.
    grantLease(from);
    // Not a vote: a lease grant is volatile by design (a restart refuses promises for a lease),
    // so the answer needs nothing durable.
    send(from, new HeartbeatAck(b, heartbeat.round()));
    learnCommit(from, b, heartbeat.commitIndex());
  }

  private void heardFromLeader(int from) {
    if (from != id) {
      leaderHint = from;
      lastHeardFromLeaderNanos = now;
    }
  }

  // =====================================================================================
  // Learner and catch-up
  // =====================================================================================

  /**
   * The master under {@code b} says every slot up to {@code masterCommit} is chosen. A local vote
   * under {@code b} is then the chosen value (one value per slot and ballot); other slots are
   * fetched.
   */
  private void learnCommit(int from, Ballot b, long masterCommit) {
    if (masterCommit > highestCommitSeen) {
      highestCommitSeen = masterCommit;
    }
    if (from != id) {
      catchUpSource = from;
    }
    for (long slot = commitIndex + 1; slot <= masterCommit; slot++) {
      if (chosen.containsKey(slot)) {
        continue;
      }
      AcceptedEntry vote = accepted.get(slot);
      if (vote == null || !vote.ballot().equals(b)) {
        break;
      }
      chosen.put(slot, vote.value());
    }
    advanceCommit();
    maybeRequestCatchUp();
  }

  private void advanceCommit() {
    if (installing != null) {
      // A received snapshot is being made durable: entries wait, and those above it apply after it.
      return;
    }
    while (chosen.containsKey(commitIndex + 1)) {
      commitIndex++;
      outApply.add(new ChosenEntry(commitIndex, chosen.get(commitIndex)));
      appliedIndex = commitIndex;
    }
    if (commitIndex > highestCommitSeen) {
      highestCommitSeen = commitIndex;
    }
  }

  private void maybeRequestCatchUp() {
    if (receivingSnapshotIndex >= 0 && receivingSnapshotIndex <= commitIndex) {
      abandonSnapshotTransfer(); // the log brought us past it
    }
    // A master learns everything through its own phase 1 and phase 2; only others fetch.
    if (role == Role.LEADER
        || now < catchUpRetryAtNanos
        || catchUpSource < 0
        || catchUpSource == id
        || installing != null) {
      return;
    }
    if (receivingSnapshotIndex >= 0) {
      if (incomingWindowToken != 0) {
        return; // storage has not yet taken the last window; onPersisted asks for the next
      }
      catchUpRetryAtNanos = now + config.catchUpRetryNanos();
      incomingWindowEnd =
          incomingBytes + (long) config.snapshotChunkBytes() * config.snapshotChunksPerRequest();
      send(catchUpSource, new SnapshotChunkRequest(receivingSnapshotIndex, incomingBytes));
    } else if (highestCommitSeen > commitIndex) {
      catchUpRetryAtNanos = now + config.catchUpRetryNanos();
      send(catchUpSource, new CatchUpRequest(commitIndex + 1));
    }
  }

  private void onCatchUpRequest(int from, CatchUpRequest request) {
    transfers.remove(from); // it asks for entries again: any transfer to it is over
    if (request.fromSlot() < chosenFloor) {
      send(from, new CatchUpReply(List.of(), commitIndex, snapshotIndex, true));
      return;
    }
    List<ChosenEntry> entries = new ArrayList<>();
    for (long slot = request.fromSlot();
        slot <= commitIndex && entries.size() < config.catchUpChunkEntries();
        slot++) {
      Value value = chosen.get(slot);
      verify(value != null, "slot %s at or below commit %s not held", slot, commitIndex);
      entries.add(new ChosenEntry(slot, value));
    }
    send(from, new CatchUpReply(entries, commitIndex, snapshotIndex, false));
  }

  private void onCatchUpReply(int from, CatchUpReply reply) {
    if (reply.commitIndex() <= commitIndex || installing != null) {
      // Nothing for us (stale, duplicated, or a replica further behind than we are), or a
      // snapshot is being installed and the follow-up request comes after it.
      return;
    }
    if (reply.commitIndex() > highestCommitSeen) {
      highestCommitSeen = reply.commitIndex();
    }
    catchUpSource = from;
    if (reply.snapshotNeeded()) {
      if (reply.snapshotIndex() > commitIndex && receivingSnapshotIndex < 0) {
        startSnapshotTransfer(reply.snapshotIndex());
      }
      return;
    }
    for (ChosenEntry entry : reply.entries()) {
      if (entry.slot() > commitIndex) {
        Value known = chosen.putIfAbsent(entry.slot(), entry.value());
        verify(
            known == null || known.equals(entry.value()),
            "slot %s learned two chosen values",
            entry.slot());
      }
    }
    long before = commitIndex;
    advanceCommit();
    if (commitIndex > before) {
      catchUpRetryAtNanos = now; // progress: ask for the next chunk at once
    }
    maybeRequestCatchUp();
  }

  // =====================================================================================
  // Snapshot transfer: the sender names chunks, its driver reads and sends them; the receiver
  // hands each chunk to storage, verifies the whole body, and installs only once it is durable.
  // =====================================================================================

  private void startSnapshotTransfer(long index) {
    receivingSnapshotIndex = index;
    catchUpRetryAtNanos = now;
    maybeRequestCatchUp();
  }

  /** Stops receiving: storage deletes what it wrote of the incoming snapshot. */
  private void abandonSnapshotTransfer() {
    if (incoming != null) {
      persist(new StorageRecord.IncomingSnapshotDiscarded(incoming.index()));
    }
    receivingSnapshotIndex = -1;
    incoming = null;
    incomingBytes = 0;
    incomingWindowToken = 0;
  }

  private void onSnapshotChunkRequest(int from, SnapshotChunkRequest request) {
    // Serve a transfer from the snapshot it started on, even if newer snapshots were taken since:
    // otherwise a busy master that snapshots often would restart every transfer forever. Storage
    // keeps a snapshot while a transfer is pinned to it (see servedSnapshots).
    SnapshotRef pinned = transfers.get(from);
    long offset = request.offset();
    if (pinned == null || pinned.index() != request.snapshotIndex()) {
      if (snapshot == null || !snapshotServable) {
        return;
      }
      pinned = snapshot;
      transfers.put(from, pinned);
      offset = 0;
    }
    if (offset > pinned.lengthBytes()) {
      offset = 0;
    }
    for (int k = 0; k < config.snapshotChunksPerRequest(); k++) {
      int length = (int) Math.min(config.snapshotChunkBytes(), pinned.lengthBytes() - offset);
      outChunkSends.add(new SnapshotChunkSend(id, from, pinned, offset, length));
      offset += length;
      if (offset >= pinned.lengthBytes()) {
        break;
      }
    }
  }

  /** Older snapshots transfers are pinned to: storage must keep them until they are done. */
  private Set<Long> servedSnapshots() {
    Set<Long> served = new TreeSet<>();
    for (SnapshotRef pinned : transfers.values()) {
      served.add(pinned.index());
    }
    return served;
  }

  private void onSnapshotChunk(int from, SnapshotChunk chunk) {
    // Only a follower fetches; a snapshot being made durable takes no more chunks.
    if (role != Role.FOLLOWER || installing != null) {
      return;
    }
    if (chunk.snapshotIndex() <= commitIndex) {
      return; // stale; a transfer the log overtook is abandoned by maybeRequestCatchUp
    }
    SnapshotRef ref = chunk.snapshot();
    if (!ref.equals(incoming)) {
      if (chunk.offset() != 0) {
        return; // a chunk of some other transfer, late: the retry timer asks again
      }
      // The first chunk of a transfer, or the sender moved on to another snapshot: start anew.
      // Storage starts its incoming file anew at offset 0, discarding what it had.
      incoming = ref;
      incomingBytes = 0;
      incomingChecksum.reset();
      incomingWindowToken = 0;
      receivingSnapshotIndex = ref.index();
    } else if (chunk.offset() != incomingBytes) {
      return; // duplicated or out of order: the retry timer asks again from where we are
    }
    persist(new StorageRecord.IncomingSnapshotChunk(ref.index(), chunk.offset(), chunk.bytes()));
    incomingChecksum.update(chunk.bytes());
    incomingBytes += chunk.bytes().length;
    catchUpSource = from;
    if (incomingBytes == ref.lengthBytes()) {
      completeIncomingSnapshot();
    } else if (incomingBytes >= incomingWindowEnd) {
      // This window is in. The next is asked for once storage took it (this step's request).
      incomingWindowToken = lastIssuedToken + 1;
    }
  }

  /** The last chunk arrived: verify the whole body, then have storage make it durable. */
  private void completeIncomingSnapshot() {
    SnapshotRef ref = incoming;
    boolean intact = (int) incomingChecksum.getValue() == ref.checksum();
    receivingSnapshotIndex = -1;
    incoming = null;
    incomingBytes = 0;
    incomingWindowToken = 0;
    if (!intact) {
      // Damaged on the way, or the sender's file is. Refuse it and start over with a catch-up
      // request: that unpins the sender's transfer, so the retry is of its newest snapshot.
      persist(new StorageRecord.IncomingSnapshotDiscarded(ref.index()));
      snapshotsRefused++;
      catchUpRetryAtNanos = now;
      maybeRequestCatchUp();
      return;
    }
    persist(new StorageRecord.IncomingSnapshotComplete(ref, servedSnapshots()));
    installing = ref;
    installingToken = lastIssuedToken + 1; // this step's persist request
  }

  /** The received snapshot is durable: the application replaces its state with it. */
  private void installSnapshot() {
    SnapshotRef ref = installing;
    installing = null;
    verify(ref.index() > commitIndex, "installing %s at or below commit %s", ref, commitIndex);
    outSnapshot = ref;
    commitIndex = ref.index();
    appliedIndex = ref.index();
    if (highestCommitSeen < ref.index()) {
      highestCommitSeen = ref.index();
    }
    chosenFloor = ref.index() + 1;
    adoptSnapshot(ref); // its record is already durable
    advanceCommit(); // entries learned while it was made durable
    catchUpRetryAtNanos = now;
    maybeRequestCatchUp();
  }

  /** {@code newer} is this replica's snapshot now: drop what it covers from memory. */
  private void adoptSnapshot(SnapshotRef newer) {
    long index = newer.index();
    verify(index <= commitIndex, "compacting %s beyond commit %s", index, commitIndex);
    snapshot = newer;
    snapshotIndex = index;
    snapshotServable = true;
    long floor = Math.max(chosenFloor, index + 1 - config.logRetentionSlots());
    if (!chosen.containsKey(floor)) {
      floor = index + 1; // nothing retained below the snapshot (e.g. it was just installed)
    }
    chosenFloor = floor;
    chosen.headMap(chosenFloor, false).clear();
    accepted.headMap(index, true).clear();
  }

  // =====================================================================================
  // Timers
  // =====================================================================================

  private void tick() {
    switch (role) {
      case LEADER -> {
        if (now >= leaseExpiresAtNanos && now >= leadAtLeastUntilNanos) {
          becomeFollower("lease ran out");
        } else {
          if (now >= nextHeartbeatAtNanos) {
            sendHeartbeat();
          }
          resendAccepts();
        }
      }
      case CANDIDATE -> {
        if (now >= candidacyDeadlineNanos) {
          // Give up and wait a fresh, jittered election timeout: retrying at once would renew the
          // grants this candidacy already holds and keep a split vote split.
          becomeFollower("no majority within the election timeout");
        } else {
          resendVotePageRequests();
          if (now >= nextHeartbeatAtNanos) {
            keepPromisersWhilePaging();
          }
          if (now >= prepareResendAtNanos) {
            resendPrepares();
          }
        }
      }
      case FOLLOWER -> {
        if (electionDue()) {
          startElection();
        }
      }
      default -> throw new AssertionError(role);
    }
    maybeRequestCatchUp();
  }

  /**
   * A follower runs only when the master has been quiet for a (jittered) election timeout and its
   * own lease grant to another replica has run out: while that grant holds, no election can win its
   * promise, so running would only disturb.
   */
  private boolean electionDue() {
    // Jitter counts from the later of "master quiet" and "our grant ran out": every follower's
    // grant from the last heartbeat runs out at about the same moment, and without jitter after it
    // they would all run at once and split the vote.
    long quietAt = lastHeardFromLeaderNanos + config.electionTimeoutNanos();
    long freeAt = promisesRefusedUntil(id);
    // A snapshot being made durable takes a disk write: run after it, from the state it brings.
    return installing == null && now >= Math.max(quietAt, freeAt) + electionJitterNanos;
  }

  // =====================================================================================
  // Candidate
  // =====================================================================================

  private void startElection() {
    Role from = role;
    if (grantHolder == id) {
      grantHolder = -1; // a grant to our own abandoned candidacy protects nobody
    }
    Ballot base = highestBallotSeen.isAbove(promised) ? highestBallotSeen : promised;
    ballot = base.nextFor(id);
    observe(ballot);
    role = Role.CANDIDATE;
    // Running because no master is heard (or this one just lost its own mastership): naming the
    // old one would send clients to a replica that cannot serve them.
    leaderHint = -1;
    promises.clear();
    prepareSentAtNanos = now;
    prepareResendAtNanos = now + config.resendIntervalNanos();
    prepareFromSlot = commitIndex + 1;
    electionJitterNanos = drawJitter();
    candidacyDeadlineNanos = now + config.electionTimeoutNanos();
    nextHeartbeatAtNanos = now + config.heartbeatIntervalNanos(); // keeps promisers while paging
    if (from != Role.CANDIDATE) {
      outEvents.add(new Event.RoleChanged(from, Role.CANDIDATE, ballot.epoch()));
    }
    persist(new StorageRecord.BallotRecord(ballot));
    Prepare prepare = new Prepare(ballot, prepareFromSlot);
    for (int member : config.membership().replicaIds()) {
      sendWhenDurable(member, prepare); // never reuse a ballot across a crash
    }
  }

  private void onPromise(int from, Promise promise) {
    observe(promise.ballot());
    if (role != Role.CANDIDATE || !promise.ballot().equals(ballot)) {
      return;
    }
    // The first page: the votes from the slot the prepare asked for.
    offerVotePage(
        from,
        new VotePage(prepareFromSlot, promise.accepted(), promise.moreVotes()),
        promise.logStartSlot());
  }

  private void onPromiseVotes(int from, PromiseVotes page) {
    observe(page.ballot());
    if (role != Role.CANDIDATE || !page.ballot().equals(ballot)) {
      return;
    }
    // Sent only by an acceptor whose promise of this ballot is durable: it stands for the promise
    // too, should the promise itself be lost or late.
    offerVotePage(
        from,
        new VotePage(page.fromSlot(), page.accepted(), page.moreVotes()),
        page.logStartSlot());
  }

  /** Takes a page of a promise's votes in slot order, keeping one that arrived early. */
  private void offerVotePage(int from, VotePage page, long logStartSlot) {
    if (logStartSlot > page.fromSlot()) {
      // That acceptor compacted slots whose votes this candidate needs: they are chosen, and this
      // candidate has not learned them.
      standDownToCatchUp(from, logStartSlot);
      return;
    }
    PromisedVotes gathered = promises.get(from);
    if (gathered == null) {
      gathered = new PromisedVotes(prepareFromSlot, now);
      promises.put(from, gathered);
    }
    if (gathered.complete || page.fromSlot() < gathered.nextSlot) {
      return; // a duplicate
    }
    if (page.fromSlot() > gathered.nextSlot) {
      if (gathered.early.size() < config.promisePagesPerRequest()) {
        gathered.early.put(page.fromSlot(), page);
      }
      return;
    }
    takeVotePage(from, gathered, page);
    while (!gathered.complete && gathered.early.containsKey(gathered.nextSlot)) {
      takeVotePage(from, gathered, gathered.early.remove(gathered.nextSlot));
    }
    gathered.early.headMap(gathered.nextSlot).clear();
    long complete = promises.values().stream().filter(p -> p.complete).count();
    if (gathered.complete && complete >= config.membership().quorumSize()) {
      becomeLeader();
    }
  }

  private void takeVotePage(int from, PromisedVotes gathered, VotePage page) {
    gathered.votes.addAll(page.votes());
    if (page.more() && !config.plantedBugs().ignoreUnpagedVotes()) {
      gathered.nextSlot = page.votes().get(page.votes().size() - 1).slot() + 1;
      gathered.progressAtNanos = now;
      // Pages are coming in and a majority promised: not a split vote, so let it finish.
      if (holdsPromiseMajority()) {
        candidacyDeadlineNanos =
            Math.max(candidacyDeadlineNanos, now + config.electionTimeoutNanos());
      }
      if (++gathered.pagesOfWindow == config.promisePagesPerRequest()) {
        requestVotePage(from, gathered); // the window is in: ask for the next
      }
      return;
    }
    gathered.complete = true;
    gathered.early.clear();
    if (!page.votes().isEmpty()) {
      gathered.nextSlot = page.votes().get(page.votes().size() - 1).slot() + 1;
    }
  }

  private void requestVotePage(int from, PromisedVotes gathered) {
    gathered.progressAtNanos = now;
    gathered.pagesOfWindow = 0;
    send(from, new PromiseVotesRequest(ballot, gathered.nextSlot));
  }

  /**
   * Asks again those that have not promised (lost, or refused while a grant to another ran): they
   * may join now, and until then the prepare keeps them from running a rival election.
   */
  private void resendPrepares() {
    prepareResendAtNanos = now + config.resendIntervalNanos();
    Prepare prepare = new Prepare(ballot, prepareFromSlot);
    for (int member : config.membership().replicaIds()) {
      if (!promises.containsKey(member)) {
        sendWhenDurable(member, prepare); // after the ballot record, as the first time
      }
    }
  }

  /** Asks again for pages whose answer was lost (or arrived out of order and was dropped). */
  private void resendVotePageRequests() {
    for (Map.Entry<Integer, PromisedVotes> e : promises.entrySet()) {
      PromisedVotes gathered = e.getValue();
      if (!gathered.complete && now - gathered.progressAtNanos >= config.resendIntervalNanos()) {
        requestVotePage(e.getKey(), gathered);
      }
    }
  }

  /**
   * While votes are still being fetched, renews the grants of the promisers whose votes are all in
   * (and its own): a page request past their last vote, answered by an empty page. Those being
   * paged renew theirs with every request.
   */
  private void keepPromisersWhilePaging() {
    nextHeartbeatAtNanos = now + config.heartbeatIntervalNanos();
    if (promises.values().stream().allMatch(p -> p.complete)) {
      return;
    }
    for (Map.Entry<Integer, PromisedVotes> e : promises.entrySet()) {
      if (e.getValue().complete) {
        send(e.getKey(), new PromiseVotesRequest(ballot, e.getValue().nextSlot));
      }
    }
  }

  /** An acceptor compacted slots this candidate has not learned: catch up first, then run. */
  private void standDownToCatchUp(int from, long logStartSlot) {
    becomeFollower("behind a snapshot of " + from);
    catchUpSource = from;
    highestCommitSeen = Math.max(highestCommitSeen, logStartSlot - 1);
    catchUpRetryAtNanos = now;
    maybeRequestCatchUp();
  }

  private void onReject(int from, Reject reject) {
    observe(reject.promised());
    if (!reject.ballot().equals(ballot) || role == Role.FOLLOWER) {
      return;
    }
    if (reject.promised().isAbove(ballot)) {
      if (role == Role.LEADER) {
        boolean leaseHeld = holdsLease(now);
        becomeFollower("preempted by " + reject.promised() + " at " + from);
        if (leaseHeld) {
          // Our grants still hold at a majority, so only we can win: run again at once.
          startElection();
        }
      } else {
        becomeFollower("candidacy preempted by " + reject.promised() + " at " + from);
      }
    }
  }

  private void becomeLeader() {
    verify(role == Role.CANDIDATE, "only a candidate becomes master");
    verify(installing == null, "a candidate installing a snapshot");
    // For each slot from the first unchosen one: a value already known chosen, else the value with
    // the highest ballot any promise reported, else a no-op to fill the hole.
    // Every vote gathered counts, a promise still being paged included: all are votes below this
    // ballot, and the highest among any superset of a majority's is as safe as among the majority.
    TreeMap<Long, AcceptedEntry> adopted = new TreeMap<>();
    for (PromisedVotes gathered : promises.values()) {
      for (AcceptedEntry vote : gathered.votes) {
        if (vote.slot() < prepareFromSlot) {
          continue;
        }
        AcceptedEntry current = adopted.get(vote.slot());
        boolean replace =
            current == null
                || (!config.plantedBugs().ignoreHigherAcceptedValue()
                    && vote.ballot().isAbove(current.ballot()));
        if (replace) {
          adopted.put(vote.slot(), vote);
        } else if (vote.ballot().equals(current.ballot())) {
          verify(vote.value().equals(current.value()), "two values under one ballot and slot");
        }
      }
    }
    long maxSlot = Math.max(commitIndex, adopted.isEmpty() ? 0 : adopted.lastKey());
    if (!chosen.isEmpty()) {
      maxSlot = Math.max(maxSlot, chosen.lastKey());
    }
    Role from = role;
    role = Role.LEADER;
    leaderHint = id;
    abandonSnapshotTransfer(); // a master never fetches
    inFlight.clear();
    toRecover.clear();
    pending.clear();
    rounds.clear();
    recoveryEndSlot = maxSlot;
    nextSlot = maxSlot + 1;
    leaseExpiresAtNanos = prepareSentAtNanos + masterLeaseNanos;
    leadAtLeastUntilNanos = now + masterLeaseNanos;
    leaseAnnounced = false;
    outEvents.add(new Event.RoleChanged(from, Role.LEADER, ballot.epoch()));
    announceLeaseIfHeld();
    for (long slot = commitIndex + 1; slot <= maxSlot; slot++) {
      Value value = chosen.get(slot);
      if (value == null) {
        AcceptedEntry vote = adopted.get(slot);
        value = vote == null ? Value.NOOP : vote.value();
      }
      toRecover.put(slot, value);
    }
    sendHeartbeat();
    fillWindow();
  }

  private void announceLeaseIfHeld() {
    if (!leaseAnnounced && holdsLease(now)) {
      leaseAnnounced = true;
      outEvents.add(new Event.LeaseAcquired(ballot.epoch(), leaseExpiresAtNanos));
    }
  }

  private void becomeFollower(String reason) {
    Role from = role;
    if (from == Role.FOLLOWER) {
      return;
    }
    if (from == Role.LEADER) {
      // No longer the master, and no other heard of yet (a message from one names it after
      // this). Still naming itself, a deposed master cut off from the others would keep
      // clients that ask it coming back to it.
      leaderHint = -1;
    }
    if (from == Role.LEADER && leaseAnnounced) {
      outEvents.add(new Event.LeaseLost(ballot.epoch()));
    }
    for (Command command : pending) {
      outRefused.add(command);
    }
    pending.clear();
    inFlight.clear();
    toRecover.clear();
    rounds.clear();
    promises.clear();
    leaseAnnounced = false;
    leaseExpiresAtNanos = 0;
    if (grantHolder == id) {
      grantHolder = -1; // we no longer claim a lease, so our own grant protects nobody
    }
    role = Role.FOLLOWER;
    lastHeardFromLeaderNanos = now;
    electionJitterNanos = drawJitter();
    outEvents.add(new Event.RoleChanged(from, Role.FOLLOWER, promised.epoch()));
    lastStepDownReason = checkNotNull(reason, "reason");
  }

  // =====================================================================================
  // Master
  // =====================================================================================

  private void openSlot(long slot, Value value) {
    InFlight entry = new InFlight(value, now);
    InFlight previous = inFlight.put(slot, entry);
    verify(previous == null, "slot %s opened twice", slot);
    sendToAll(new Accept(ballot, slot, value, commitIndex));
  }

  /**
   * Opens slots while the window has room: first those left to recover, then new ones for queued
   * commands (which the recovery's slots hold back, all being below {@code nextSlot}).
   */
  private void fillWindow() {
    if (role != Role.LEADER) {
      return;
    }
    while (!toRecover.isEmpty()
        && toRecover.firstKey() - commitIndex - 1 < config.maxSlotsInFlight()) {
      Map.Entry<Long, Value> slot = toRecover.pollFirstEntry();
      openSlot(slot.getKey(), slot.getValue());
    }
    while (!pending.isEmpty() && nextSlot - commitIndex - 1 < config.maxSlotsInFlight()) {
      List<Command> batch = new ArrayList<>();
      int bytes = 0;
      while (!pending.isEmpty()
          && batch.size() < config.maxBatchCommands()
          && bytes + pending.peekFirst().sizeBytes() <= config.maxBatchBytes()) {
        Command command = pending.pollFirst();
        bytes += command.sizeBytes();
        batch.add(command);
      }
      verify(!batch.isEmpty(), "a command larger than a batch slipped in");
      long slot = nextSlot++;
      openSlot(slot, new Value(batch));
    }
  }

  private void onAccepted(int from, Accepted message) {
    if (role != Role.LEADER || !message.ballot().equals(ballot)) {
      return;
    }
    InFlight entry = inFlight.get(message.slot());
    if (entry == null) {
      return;
    }
    entry.acks.add(from);
    if (entry.acks.size() >= config.membership().quorumSize()) {
      inFlight.remove(message.slot());
      Value known = chosen.putIfAbsent(message.slot(), entry.value);
      verify(known == null || known.equals(entry.value), "slot %s chosen twice", message.slot());
      advanceCommit();
      fillWindow();
    }
  }

  private void sendHeartbeat() {
    heartbeatRound++;
    rounds.put(heartbeatRound, new HeartbeatRound(now));
    while (!rounds.isEmpty()
        && rounds.firstEntry().getValue().sentAtNanos + masterLeaseNanos < now) {
      rounds.pollFirstEntry();
    }
    nextHeartbeatAtNanos = now + config.heartbeatIntervalNanos();
    sendToAll(new Heartbeat(ballot, heartbeatRound, commitIndex));
  }

  private void onHeartbeatAck(int from, HeartbeatAck ack) {
    if (role != Role.LEADER || !ack.ballot().equals(ballot)) {
      return;
    }
    HeartbeatRound round = rounds.get(ack.round());
    if (round == null) {
      return;
    }
    round.acks.add(from);
    if (round.acks.size() >= config.membership().quorumSize()) {
      long until = round.sentAtNanos + masterLeaseNanos;
      if (until > leaseExpiresAtNanos) {
        leaseExpiresAtNanos = until;
      }
      announceLeaseIfHeld();
    }
  }

  private void resendAccepts() {
    for (Map.Entry<Long, InFlight> e : inFlight.entrySet()) {
      InFlight entry = e.getValue();
      if (now - entry.lastSentAtNanos < config.resendIntervalNanos()) {
        continue;
      }
      entry.lastSentAtNanos = now;
      Accept accept = new Accept(ballot, e.getKey(), entry.value, commitIndex);
      for (int member : config.membership().replicaIds()) {
        if (!entry.acks.contains(member)) {
          send(member, accept);
        }
      }
    }
  }
}
