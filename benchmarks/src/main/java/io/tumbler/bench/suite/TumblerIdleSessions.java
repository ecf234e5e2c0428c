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
 * Idle Tumbler sessions at the protocol level: per session one connection to the master, one
 * CreateSession, then one KeepAlive always outstanding, as {@code CellSession} keeps it, but with
 * no threads of its own — so one JVM can hold the 100 000 sessions a master is meant to carry. All
 * connections share one event loop. Connections are spread over several loopback source addresses
 * ({@link #SESSIONS_PER_SOURCE_ADDRESS} each), since one address has fewer ephemeral ports than
 * that to one replica.
 */
final class TumblerIdleSessions implements BenchedSystem.IdleSessions {

  static final int SESSIONS_PER_SOURCE_ADDRESS = 20_000;

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
    Semaphore slots = new Semaphore(CONCURRENT_OPENS);
    List<CompletableFuture<Void>> opened = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      slots.acquire();
      InetSocketAddress local =
          new InetSocketAddress("127.0.0." + (2 + i / SESSIONS_PER_SOURCE_ADDRESS), 0);
      CompletableFuture<Void> one =
          CellConnection.open(group, master, local, codec, Runnable::run)
              .thenCompose(this::createSession);
      one.whenComplete((ok, failure) -> slots.release());
      opened.add(one);
    }
    CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new))
        .get(OPEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private CompletableFuture<Void> createSession(CellConnection connection) {
    connections.add(connection);
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
