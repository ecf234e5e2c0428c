package io.tumbler.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.tumbler.cell.peer.NettyTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultProxyTest {

  /** How long a read waits to conclude that nothing comes: long enough for a loaded machine. */
  private static final int SILENCE_MS = 1_000;

  private EventLoopGroup group;
  private ServerSocket echo;
  private Thread echoThread;
  private FaultProxy proxy;

  @BeforeEach
  void start() throws Exception {
    group = NettyTransport.newEventLoopGroup(1);
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    echoThread = new Thread(this::serveEcho, "echo");
    echoThread.setDaemon(true);
    echoThread.start();
    int port = new LoopbackPorts(new Random()).pick(1).get(0);
    proxy =
        new FaultProxy(
            "test",
            new InetSocketAddress("127.0.0.1", port),
            new InetSocketAddress("127.0.0.1", echo.getLocalPort()),
            group,
            null);
    proxy.start();
  }

  /** Echoes every byte of every connection back, each connection on a thread of its own. */
  private void serveEcho() {
    while (!echo.isClosed()) {
      try {
        Socket s = echo.accept();
        Thread t =
            new Thread(
                () -> {
                  try (s;
                      InputStream in = s.getInputStream();
                      OutputStream out = s.getOutputStream()) {
                    in.transferTo(out);
                  } catch (IOException e) {
                    // the test closed it
                  }
                });
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  @AfterEach
  void stop() throws Exception {
    proxy.close();
    echo.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(proxy.listenAddress(), 5_000);
    s.setSoTimeout(SILENCE_MS);
    return s;
  }

  private static String roundTrip(Socket s, String text) throws IOException {
    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    byte[] back = s.getInputStream().readNBytes(text.length());
    return new String(back, StandardCharsets.UTF_8);
  }

  /** Whether nothing arrives (no byte, no end of stream) for a while. */
  private static boolean silent(Socket s) throws IOException {
    try {
      s.getInputStream().read();
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    }
  }

  @Test
  void relaysBothWays() throws Exception {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, "hello")).isEqualTo("hello");
      assertThat(roundTrip(s, "again")).isEqualTo("again");
    }
  }

  @Test
  void aBlockedDirectionSwallowsWhatTravelsItAndHealingClosesTheDamagedConnection()
      throws Exception {
    try (Socket s = connect()) {
      assertThat(roundTrip(s, "before")).isEqualTo("before");
      proxy.block(Direction.TO_SERVER);
      s.getOutputStream().write("lost".getBytes(StandardCharsets.UTF_8));
      assertThat(silent(s)).isTrue();
      assertThat(proxy.droppedReads()).isPositive();
      proxy.heal();
      // The damaged connection is closed rather than resumed mid-stream.
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
    try (Socket fresh = connect()) {
      assertThat(roundTrip(fresh, "after")).isEqualTo("after");
    }
  }

  @Test
  void blockingTheAnswersLetsRequestsThroughButNotTheirEcho() throws Exception {
    try (Socket s = connect()) {
      proxy.block(Direction.TO_CLIENT);
      s.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
      assertThat(silent(s)).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> proxy.droppedReads() > 0);
      assertThat(proxy.blocked(Direction.TO_CLIENT)).isTrue();
      assertThat(proxy.blocked(Direction.TO_SERVER)).isFalse();
    }
  }

  @Test
  void aConnectionToADownServerIsClosedAtOnce() throws Exception {
    echo.close();
    echoThread.join(5_000);
    try (Socket s = connect()) {
      s.setSoTimeout(10_000);
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    }
  }
}
