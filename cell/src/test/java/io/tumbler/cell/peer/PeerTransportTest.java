package io.tumbler.cell.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.message.Message;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeerTransportTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);

  private final EventLoopGroup group = NettyTransport.newEventLoopGroup(1);
  private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static InetSocketAddress freeAddress() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
    }
  }

  private PeerTransport start(
      int id, Map<Integer, InetSocketAddress> replicas, List<Envelope> inbox)
      throws InterruptedException {
    PeerTransport transport =
        new PeerTransport(id, replicas, new PeerCodec(1 << 20), group, inbox::add);
    transport.start();
    closeables.add(transport);
    return transport;
  }

  private static Envelope heartbeat(int from, int to, long round) {
    return new Envelope(from, to, new Message.Heartbeat(new Ballot(1, from), round, 0));
  }

  @Test
  void replicasExchangeMessagesBothWays() throws Exception {
    Map<Integer, InetSocketAddress> replicas = Map.of(1, freeAddress(), 2, freeAddress());
    List<Envelope> inbox1 = new CopyOnWriteArrayList<>();
    List<Envelope> inbox2 = new CopyOnWriteArrayList<>();
    PeerTransport one = start(1, replicas, inbox1);
    PeerTransport two = start(2, replicas, inbox2);

    // The first sends only open the link (best effort): keep sending until one arrives.
    await()
        .atMost(GENEROUS)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              one.send(heartbeat(1, 2, 7));
              two.send(heartbeat(2, 1, 9));
              return !inbox1.isEmpty() && !inbox2.isEmpty();
            });

    assertThat(inbox2.get(0)).isEqualTo(heartbeat(1, 2, 7));
    assertThat(inbox1.get(0)).isEqualTo(heartbeat(2, 1, 9));
  }

  @Test
  void aFrameForAnotherReplicaClosesTheConnection() throws Exception {
    Map<Integer, InetSocketAddress> replicas = Map.of(1, freeAddress(), 2, freeAddress());
    List<Envelope> inbox = new CopyOnWriteArrayList<>();
    start(1, replicas, inbox);
    io.netty.buffer.ByteBuf frame = io.netty.buffer.Unpooled.buffer();
    new PeerCodec(1 << 20).encode(heartbeat(2, 3, 1), frame); // addressed to replica 3
    byte[] bytes = new byte[frame.readableBytes()];
    frame.readBytes(bytes);

    try (Socket socket = new Socket()) {
      socket.connect(replicas.get(1));
      OutputStream out = socket.getOutputStream();
      out.write(bytes);
      out.flush();
      socket.setSoTimeout((int) GENEROUS.toMillis());
      assertThat(socket.getInputStream().read())
          .as("the replica closes the connection")
          .isEqualTo(-1);
    }
    assertThat(inbox).isEmpty();
  }

  @Test
  void aLinkToAPeerThatStaysSilentIsReopened() throws Exception {
    // A peer whose connections stay open but never carry anything back: what a half-open TCP
    // connection looks like from this side.
    try (ServerSocket blackHole = new ServerSocket(0)) {
      AtomicInteger accepted = new AtomicInteger();
      List<Socket> held = new CopyOnWriteArrayList<>();
      Thread acceptor =
          new Thread(
              () -> {
                try {
                  while (true) {
                    held.add(blackHole.accept());
                    accepted.incrementAndGet();
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      acceptor.start();
      Map<Integer, InetSocketAddress> replicas =
          Map.of(1, freeAddress(), 2, new InetSocketAddress("127.0.0.1", blackHole.getLocalPort()));
      PeerTransport one = start(1, replicas, new CopyOnWriteArrayList<>());

      await()
          .atMost(GENEROUS)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                one.send(heartbeat(1, 2, 1));
                return accepted.get() >= 2;
              });
      for (Socket socket : held) {
        socket.close();
      }
    }
  }
}
