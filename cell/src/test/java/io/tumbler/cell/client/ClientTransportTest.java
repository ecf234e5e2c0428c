package io.tumbler.cell.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.tumbler.cell.peer.NettyTransport;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.FrameError;
import io.tumbler.lockservice.protocol.Message;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientTransportTest {

  private static final Duration GENEROUS = Duration.ofSeconds(30);

  private final FrameCodec codec = new FrameCodec(Limits.DEFAULTS);
  private final EventLoopGroup group = NettyTransport.newEventLoopGroup(1);
  private final Recorder handler = new Recorder();
  private final List<Socket> sockets = new ArrayList<>();
  private ClientTransport transport;

  /** Records what arrives; answers each CreateSession with a Response under its correlation id. */
  private static final class Recorder implements ClientFrameHandler {
    final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    final BlockingQueue<ClientConnection> opened = new LinkedBlockingQueue<>();
    final BlockingQueue<ClientConnection> closed = new LinkedBlockingQueue<>();

    @Override
    public void onFrame(ClientConnection connection, Frame frame) {
      if (!opened.contains(connection)) {
        opened.add(connection);
      }
      frames.add(frame);
      if (frame.message() instanceof Message.CreateSession) {
        connection.send(new Frame(frame.correlationId(), new Message.Response(new Result.Done())));
      }
    }

    @Override
    public void onClosed(ClientConnection connection) {
      closed.add(connection);
    }
  }

  private void start(int maxConnections) throws InterruptedException {
    transport =
        new ClientTransport(
            new InetSocketAddress("127.0.0.1", 0), codec, handler, group, maxConnections);
    transport.start();
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    if (transport != null) {
      transport.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(transport.localAddress(), 10_000);
    socket.setSoTimeout((int) GENEROUS.toMillis());
    sockets.add(socket);
    return socket;
  }

  private byte[] encode(Frame frame) {
    ByteBuf out = Unpooled.buffer();
    codec.encode(frame, out);
    return ByteBufUtil.getBytes(out);
  }

  private Frame readFrame(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    int length = in.readInt();
    byte[] frame = new byte[4 + length];
    Unpooled.wrappedBuffer(frame).setInt(0, length);
    in.readFully(frame, 4, length);
    return codec.decodeExactlyOne(Unpooled.wrappedBuffer(frame));
  }

  /** True once the server has closed {@code socket}: the next read ends the stream. */
  private static boolean closedByServer(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() == -1;
    } catch (SocketException e) {
      return true; // reset: closed too
    }
  }

  private void roundTrip(Socket socket, long correlationId) throws IOException {
    socket.getOutputStream().write(encode(new Frame(correlationId, new Message.CreateSession(0))));
    Frame answer = readFrame(socket);
    assertThat(answer.correlationId()).isEqualTo(correlationId);
    assertThat(answer.message()).isEqualTo(new Message.Response(new Result.Done()));
  }

  @Test
  void validFramesReachTheHandlerAndItsAnswersReachTheClient() throws Exception {
    start(10);
    Socket socket = connect();

    roundTrip(socket, 41);
    socket
        .getOutputStream()
        .write(encode(new Frame(42, new Message.KeepAlive(3, 7, 0, 0, java.util.Set.of()))));

    assertThat(handler.frames.poll(30, TimeUnit.SECONDS).message())
        .isEqualTo(new Message.CreateSession(0));
    assertThat(handler.frames.poll(30, TimeUnit.SECONDS))
        .isEqualTo(new Frame(42, new Message.KeepAlive(3, 7, 0, 0, java.util.Set.of())));
    ClientConnection connection = handler.opened.take();
    assertThat(connection.remoteHost()).isEqualTo("127.0.0.1");
    assertThat(connection.isOpen()).isTrue();
    assertThat(transport.openConnections()).isEqualTo(1);

    socket.close();
    assertThat(handler.closed.poll(30, TimeUnit.SECONDS)).isSameAs(connection);
    await().atMost(GENEROUS).until(() -> transport.openConnections() == 0);
  }

  @Test
  void framesSplitAcrossWritesAndPipelinedInOneAreAllDecoded() throws Exception {
    start(10);
    Socket socket = connect();
    byte[] one = encode(new Frame(1, new Message.FindMaster()));
    byte[] two = encode(new Frame(2, new Message.FindMaster()));
    OutputStream out = socket.getOutputStream();

    out.write(one, 0, 3);
    out.flush();
    out.write(one, 3, one.length - 3);
    byte[] both = new byte[one.length + two.length];
    System.arraycopy(one, 0, both, 0, one.length);
    System.arraycopy(two, 0, both, one.length, two.length);
    out.write(both);

    for (long id : new long[] {1, 1, 2}) {
      assertThat(handler.frames.poll(30, TimeUnit.SECONDS).correlationId()).isEqualTo(id);
    }
  }

  @Test
  void garbageIsAnsweredWithAProtocolErrorAndTheConnectionClosed() throws Exception {
    start(10);
    Socket socket = connect();
    byte[] frame = encode(new Frame(9, new Message.FindMaster()));
    frame[4] = 99; // the version byte

    socket.getOutputStream().write(frame);

    Frame answer = readFrame(socket);
    assertThat(answer.correlationId()).isZero();
    assertThat(answer.message())
        .isInstanceOfSatisfying(
            Message.ProtocolError.class,
            error -> {
              assertThat(error.error()).isEqualTo(FrameError.UNSUPPORTED_VERSION);
              assertThat(error.detail()).contains("version 99");
            });
    assertThat(closedByServer(socket)).isTrue();
    assertThat(handler.frames).isEmpty();
    assertThat(handler.closed.poll(30, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void anOversizedFrameIsRefusedFromItsLengthPrefixAlone() throws Exception {
    start(10);
    Socket socket = connect();

    // Only the prefix: the refusal must not wait for a body that never comes.
    socket.getOutputStream().write(new byte[] {0x7f, 0, 0, 0});

    Frame answer = readFrame(socket);
    assertThat(((Message.ProtocolError) answer.message()).error()).isEqualTo(FrameError.OVERSIZED);
    assertThat(closedByServer(socket)).isTrue();
  }

  @Test
  void aClientThatClosesInsideAFrameIsForgottenWithoutAFrame() throws Exception {
    start(10);
    Socket socket = connect();
    byte[] frame = encode(new Frame(5, new Message.CreateSession(0)));

    socket.getOutputStream().write(frame, 0, frame.length - 2);
    socket.close();

    assertThat(handler.closed.poll(30, TimeUnit.SECONDS)).isNotNull();
    assertThat(handler.frames).isEmpty();
    roundTrip(connect(), 6); // still serving
  }

  @Test
  void oneBadClientDoesNotDisturbAnother() throws Exception {
    start(10);
    Socket good = connect();
    roundTrip(good, 1);
    Socket bad = connect();

    bad.getOutputStream().write(new byte[] {0, 0, 0, 10, 1, (byte) 200, 1, 2, 3, 4, 5, 6, 7, 8});

    assertThat(((Message.ProtocolError) readFrame(bad).message()).error())
        .isEqualTo(FrameError.UNKNOWN_MESSAGE_TYPE);
    assertThat(closedByServer(bad)).isTrue();
    roundTrip(good, 2);
    roundTrip(good, 3);
    assertThat(handler.closed).hasSize(1);
  }

  @Test
  void connectionsBeyondTheLimitAreClosedOnArrival() throws Exception {
    start(1);
    Socket first = connect();
    roundTrip(first, 1);

    Socket second = connect();

    assertThat(closedByServer(second)).isTrue();
    await().atMost(GENEROUS).until(() -> transport.refusedConnections() == 1);
    roundTrip(first, 2);
    first.close();
    await().atMost(GENEROUS).until(() -> transport.openConnections() == 0);
    roundTrip(connect(), 3); // room again
  }

  @Test
  void sendsFromAnyThreadArriveInOrderAndCloseWritesThemFirst() throws Exception {
    start(10);
    Socket socket = connect();
    roundTrip(socket, 1);
    ClientConnection connection = handler.opened.take();

    for (int i = 0; i < 100; i++) {
      connection.send(new Frame(100 + i, new Message.Response(new Result.Done())));
    }
    connection.close();

    for (int i = 0; i < 100; i++) {
      assertThat(readFrame(socket).correlationId()).isEqualTo(100 + i);
    }
    assertThat(closedByServer(socket)).isTrue();
    assertThat(handler.closed.poll(30, TimeUnit.SECONDS)).isSameAs(connection);
    assertThat(connection.isOpen()).isFalse();
    connection.send(new Frame(7, new Message.FindMaster())); // dropped quietly
  }

  @Test
  void aClientThatStopsReadingIsClosedBeforeItsAnswersExhaustMemory() throws Exception {
    start(10);
    Socket socket = connect();
    roundTrip(socket, 1);
    ClientConnection connection = handler.opened.take();
    // About 3 MB per frame, far more than the socket buffers and the per-connection bound hold.
    String longPath = "/ls/local/" + "x".repeat(1000);
    List<Message.Invalidation> invalidations = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      invalidations.add(new Message.Invalidation(i, longPath));
    }
    Frame big =
        new Frame(2, new Message.KeepAliveResponse(1, 12_000, Set.of(), List.of(), invalidations));
    long frameBytes = encode(big).length;
    long frames = 2 * ClientTransport.MAX_QUEUED_BYTES_PER_CONNECTION / frameBytes + 1;

    for (int i = 0; i < frames; i++) {
      connection.send(big);
    }

    assertThat(handler.closed.poll(30, TimeUnit.SECONDS)).isSameAs(connection);
    assertThat(drainUntilClosed(socket.getInputStream()))
        .isLessThan(frames * frameBytes); // some answers were never written
  }

  private static long drainUntilClosed(InputStream in) throws IOException {
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    try {
      for (int n; (n = in.read(buffer)) != -1; ) {
        total += n;
      }
    } catch (SocketException | EOFException e) {
      // reset after the close: the end too
    }
    return total;
  }
}
