package io.tumbler.cell.master;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.cell.client.ClientConnection;
import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.ReplicaAddresses;
import io.tumbler.cell.replica.ReplicaControl;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.SessionNotice;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine;
import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Role;
import io.tumbler.paxos.Value;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Drives a {@link MasterService} on the test's thread with a fake replica (proposals are chosen
 * when the test says so), fake clocks and recording connections: every step is explicit, so each
 * rule of the master can be checked without threads or timing.
 */
final class MasterHarness {

  static final String CELL = "local";

  final FakeReplica replica = new FakeReplica();
  long nowNanos = TimeUnit.SECONDS.toNanos(1000);
  long wallMs = 1_000_000;
  final MasterService service;
  private long slot = 1;
  private long nextConnectionId = 1;
  private long nextCorrelation = 1;

  MasterHarness(MasterSettings settings) {
    CellConfig config =
        new CellConfig(
            CELL,
            1,
            "/unused",
            List.of(
                new ReplicaAddresses(1, "127.0.0.1:7201", "127.0.0.1:7101", "127.0.0.1:7301"),
                new ReplicaAddresses(2, "127.0.0.1:7202", "127.0.0.1:7102", "127.0.0.1:7302"),
                new ReplicaAddresses(3, "127.0.0.1:7203", "127.0.0.1:7103", "127.0.0.1:7303")));
    service =
        new MasterService(
            config,
            settings,
            LockServiceStateMachine.openCell(CELL),
            () -> wallMs,
            () -> nowNanos,
            ServiceMetrics.NONE);
    service.attach(replica);
  }

  /** This replica leads epoch {@code epoch} and has recovered. */
  MasterHarness leading(long epoch) {
    replica.role = Role.LEADER;
    replica.epoch = epoch;
    replica.masterId = 1;
    replica.canServeReads = true;
    tick();
    return this;
  }

  /**
   * Another replica led for a while, then this one leads again in {@code epoch}, which the given
   * clients have learned (as from a stale-epoch redirect).
   */
  MasterHarness failOverTo(long epoch, Client... clients) {
    replica.role = Role.FOLLOWER;
    tick();
    leading(epoch);
    for (Client client : clients) {
      client.epoch = epoch;
    }
    return this;
  }

  void tick() {
    service.onTick(nowNanos);
  }

  void advanceMs(long ms) {
    nowNanos += TimeUnit.MILLISECONDS.toNanos(ms);
    wallMs += ms;
    tick();
  }

  /** The service's published status, after letting enough time pass for it to be refreshed. */
  ServiceStatus freshStatus() {
    advanceMs(TimeUnit.NANOSECONDS.toMillis(MasterService.STATUS_PUBLISH_INTERVAL_NANOS));
    return service.status();
  }

  /** Hands everything proposed so far back as refused (a full proposal queue). */
  void refuseProposed() {
    List<Command> refused = List.copyOf(replica.proposed);
    replica.proposed.clear();
    service.refused(refused, -1);
  }

  /** Chooses and applies everything proposed so far, as a one-slot batch. */
  void choose() {
    while (!replica.proposed.isEmpty()) {
      List<Command> batch = List.copyOf(replica.proposed);
      replica.proposed.clear();
      service.apply(new ChosenEntry(slot++, new Value(batch)));
    }
  }

  Client connect() {
    return new Client(nextConnectionId++);
  }

  static Request.Open openFile(String name, boolean create) {
    return new Request.Open(
        "/ls/" + CELL + "/" + name,
        EnumSet.of(Permission.READ, Permission.WRITE, Permission.LOCK),
        EnumSet.allOf(EventKind.class),
        0,
        create
            ? CreateOptions.file(false, io.tumbler.lockservice.command.ByteString.EMPTY)
            : CreateOptions.NONE);
  }

  /** The replica as the service sees it; the test sets each answer. */
  static final class FakeReplica implements ReplicaControl {
    Role role = Role.FOLLOWER;
    long epoch = 0;
    int masterId = -1;
    boolean canServeReads;

    /** The master lease; a test takes it away to play a master that was frozen past it. */
    boolean leaseHeld = true;

    final List<Command> proposed = new ArrayList<>();

    @Override
    public int replicaId() {
      return 1;
    }

    @Override
    public Role role() {
      return role;
    }

    @Override
    public long epoch() {
      return epoch;
    }

    @Override
    public int masterId() {
      return masterId;
    }

    @Override
    public boolean holdsLease(long nowNanos) {
      return role == Role.LEADER && leaseHeld;
    }

    @Override
    public boolean canServeReads(long nowNanos) {
      return holdsLease(nowNanos) && canServeReads;
    }

    @Override
    public void propose(Command command) {
      proposed.add(command);
    }
  }

  /** One client connection with one session, speaking frames to the service. */
  final class Client implements ClientConnection {
    final long id;
    final List<Frame> received = new ArrayList<>();
    boolean open = true;
    long session;
    long epoch;
    long requestNumber;
    long eventsSeen;
    long invalidationsSeen;
    Set<SessionNotice> noticesToAck = EnumSet.noneOf(SessionNotice.class);

    Client(long id) {
      this.id = id;
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public String remoteHost() {
      return "127.0.0.1";
    }

    @Override
    public void send(Frame frame) {
      if (open) {
        received.add(frame);
      }
    }

    @Override
    public void close() {
      open = false;
    }

    @Override
    public boolean isOpen() {
      return open;
    }

    /** Sends a frame; returns its correlation id. */
    long send(Message message) {
      long correlation = nextCorrelation++;
      service.onFrame(this, new Frame(correlation, message), nowNanos);
      return correlation;
    }

    /** The answer to {@code correlation}, if it came. */
    Message answer(long correlation) {
      for (Frame f : received) {
        if (f.correlationId() == correlation) {
          return f.message();
        }
      }
      return null;
    }

    Client createSession() {
      epoch = replica.epoch;
      long c = send(new Message.CreateSession(epoch));
      choose();
      Message answer = answer(c);
      assertThat(answer).isInstanceOf(Message.SessionCreated.class);
      session = ((Message.SessionCreated) answer).session();
      return this;
    }

    /** Sends a request; returns its correlation id (the answer may need {@link #choose()}). */
    long request(Request request) {
      return send(
          new Message.SessionRequest(epoch, session, ++requestNumber, requestNumber - 1, request));
    }

    /** Sends, lets everything proposed be chosen, and returns the answer. */
    Message.Response call(Request request) {
      long c = request(request);
      choose();
      Message answer = answer(c);
      assertThat(answer).as("answer to %s", request).isInstanceOf(Message.Response.class);
      return (Message.Response) answer;
    }

    long openHandle(String name, boolean create) {
      Result r = call(openFile(name, create)).result();
      assertThat(r).isInstanceOf(Result.Opened.class);
      return ((Result.Opened) r).handle();
    }

    /**
     * Sends a KeepAlive acknowledging everything received so far. Notices are acknowledged once, in
     * the KeepAlive that follows the answer that told of them, as the real client does.
     */
    long keepAlive() {
      Set<SessionNotice> acked = noticesToAck;
      noticesToAck = EnumSet.noneOf(SessionNotice.class);
      return send(new Message.KeepAlive(epoch, session, eventsSeen, invalidationsSeen, acked));
    }

    /** Reads a KeepAliveResponse and remembers what it must acknowledge next time. */
    Message.KeepAliveResponse keepAliveAnswer(long correlation) {
      Message m = answer(correlation);
      if (!(m instanceof Message.KeepAliveResponse r)) {
        return null;
      }
      for (Message.NumberedEvent e : r.events()) {
        eventsSeen = Math.max(eventsSeen, e.index());
      }
      for (Message.Invalidation i : r.invalidations()) {
        invalidationsSeen = Math.max(invalidationsSeen, i.number());
      }
      noticesToAck =
          r.notices().isEmpty() ? EnumSet.noneOf(SessionNotice.class) : EnumSet.copyOf(r.notices());
      return r;
    }
  }
}
