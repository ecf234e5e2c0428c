package io.tumbler.chaos.net;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Picks free loopback ports for a chaos cell and its proxies from <em>below</em> the kernel's
 * ephemeral range. A port from the ephemeral range (what binding port 0 hands out) can be taken as
 * the local port of an outgoing connection while the replica that owns it is down, and a killed
 * replica must come back on its own ports: the others know it by them. The proxies open many
 * outgoing connections, so this is not a theoretical worry.
 */
public final class LoopbackPorts {

  /** Where the kernel keeps its ephemeral range. */
  static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  /** The lowest port handed out: clear of the well-known and most registered services. */
  static final int LOWEST = 10_000;

  /** Used when the ephemeral range cannot be read (not Linux): Linux's default start. */
  static final int DEFAULT_EPHEMERAL_START = 32_768;

  private final Random random;
  private final int lowest;
  private final int highestExclusive;
  private final Set<Integer> handedOut = new HashSet<>();

  /**
   * @param random where candidate ports come from (they need not be reproducible: a run's schedule
   *     does not depend on its ports)
   */
  public LoopbackPorts(Random random) {
    this.random = random;
    this.lowest = LOWEST;
    this.highestExclusive = ephemeralStart();
    checkArgument(
        highestExclusive - lowest >= 1_000,
        "the ephemeral range starts at %s: too little room below it",
        highestExclusive);
  }

  /** {@code count} distinct ports nobody listened on a moment ago, never handed out before. */
  public synchronized List<Integer> pick(int count) throws IOException {
    List<Integer> ports = new ArrayList<>();
    int attempts = 0;
    while (ports.size() < count) {
      if (++attempts > 100 * count) {
        throw new IOException(
            "no free loopback ports found in [" + lowest + ", " + highestExclusive + ")");
      }
      int port = lowest + random.nextInt(highestExclusive - lowest);
      if (!handedOut.contains(port) && bindable(port)) {
        handedOut.add(port);
        ports.add(port);
      }
    }
    return List.copyOf(ports);
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int ephemeralStart() {
    // Read line by line: /proc files report a size of 0, which whole-file reads can take at
    // their word.
    try (BufferedReader in = Files.newBufferedReader(EPHEMERAL_RANGE, StandardCharsets.US_ASCII)) {
      String line = in.readLine();
      return Integer.parseInt(line.trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return DEFAULT_EPHEMERAL_START;
    }
  }

  /** {@code 127.0.0.1:port}. */
  public static String loopback(int port) {
    return "127.0.0.1:" + port;
  }
}
