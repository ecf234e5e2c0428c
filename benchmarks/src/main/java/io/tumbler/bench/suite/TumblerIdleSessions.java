package io.tumbler.bench.suite;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tumbler.client.transport.CellConnection;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.SessionNotice;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Idle Tumbler sessions at the protocol level: each does one CreateSession, then keeps one
 * KeepAlive outstanding, as {@code CellSession} does, but with no threads of its own — so one JVM
 * can hold the 100 000 sessions a master is meant to carry. All connections share one event loop
 * and are spread over several loopback source addresses ({@link #SESSIONS_PER_SOURCE_ADDRESS}
 * each), since one address has fewer ephemeral ports than that to one replica.
 *
 * <p>A session has a connection of its own up to {@link #MAX_CONNECTIONS}; beyond that, sessions
 * share connections round-robin. The master keeps a KeepAlive per session whatever connection it
 * came on; the sharing only works around the open-files limit of a process (20 000 on the machine
 * the results were taken on, and not raisable there), which bounds this JVM and the master alike.
 */
final class TumblerIdleSessions implements BenchedSystem.IdleSessions {

  static final int SESSIONS_PER_SOURCE_ADDRESS = 20_000;

  /** Connections held at most: well inside a 20 000 open-files limit, here and at the master. */
  static final int MAX_CONNECTIONS = 15_000;

  /** Sessions being created at once: enough to open 100k quickly without a connect storm. */
  static final int CONCURRENT_OPENS = 256;

  static final long OPEN_TIMEOUT_SECONDS = 600;

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final FrameCodec codec = new FrameCodec(Limits.DEFAULTS);
  private final Queue<CellConnection> connections = new ConcurrentLinkedQueue<>();
  private final AtomicInteger alive = new AtomicInteger();
  private volatile boolean closing;

  private TumblerIdleSessions() {}

  static TumblerIdleSessions open(String master, int n) throws Exception {
    TumblerIdleSessions sessions = new TumblerIdleSessions();
    try {
      sessions.openAll(master, n);
    } catch (Exception e) {
      sessions.close();
      throw e;
    }
    return sessions;
  }

  private void openAll(String master, int n) throws Exception {
    int connectionCount = Math.min(n, MAX_CONNECTIONS);
    List<CellConnection> links = new ArrayList<>();
    Semaphore slots = new Semaphore(CONCURRENT_OPENS);
    List<CompletableFuture<CellConnection>> opening = new ArrayList<>();
    for (int i = 0; i < connectionCount; i++) {
      slots.acquire();
      InetSocketAddress local =
          new InetSocketAddress("127.0.0." + (2 + i / SESSIONS_PER_SOURCE_ADDRESS), 0);
      CompletableFuture<CellConnection> one =
          CellConnection.open(group, master, local, codec, Runnable::run);
      one.whenComplete((ok, failure) -> slots.release());
      opening.add(one);
    }
    for (CompletableFuture<CellConnection> one : opening) {
      CellConnection c = one.get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      connections.add(c);
      links.add(c);
    }
    List<CompletableFuture<Void>> created = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      CompletableFuture<Void> one = createSession(links.get(i % links.size()));
      one.whenComplete((ok, failure) -> slots.release());
      created.add(one);
    }
    CompletableFuture.allOf(created.toArray(CompletableFuture[]::new))
        .get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private CompletableFuture<Void> createSession(CellConnection connection) {
    return connection
        .request(new Message.CreateSession(0))
        .thenAccept(
            answer -> {
              if (!(answer instanceof Message.SessionCreated created)) {
                throw new IllegalStateException("CreateSession answered " + answer);
              }
              alive.incrementAndGet();
              keepAlive(
                  connection,
                  created.epoch(),
                  created.session(),
                  EnumSet.noneOf(SessionNotice.class));
            });
  }

  /** One KeepAlive outstanding; the master holds it until the lease is nearly out. */
  private void keepAlive(
      CellConnection connection, long epoch, long session, Set<SessionNotice> noticesAcked) {
    if (closing) {
      return;
    }
    connection
        .request(new Message.KeepAlive(epoch, session, 0, 0, noticesAcked))
        .whenComplete(
            (answer, failure) -> {
              if (answer instanceof Message.KeepAliveResponse r) {
                keepAlive(connection, epoch, session, r.notices());
              } else if (!closing) {
                alive.decrementAndGet(); // expired, refused or disconnected: no longer idle-alive
              }
            });
  }

  @Override
  public int alive() {
    return alive.get();
  }

  @Override
  public void close() {
    closing = true; // the sessions are left to expire at the master: nothing more is sent
    connections.forEach(CellConnection::close);
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
