package io.tumbler.client;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableList;
import com.google.common.net.HostAndPort;
import java.net.InetSocketAddress;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The replicas a client may ask to find the master, parsed from {@code host:port,host:port,...}.
 *
 * <p>Any replica will do as a first contact: a non-master answers with the master's address. The
 * list keeps the order the user gave, so the first reachable replica is tried first; duplicates are
 * refused because they would skew that order and usually mean a typo.
 */
public final class CellAddresses {

  private static final Splitter COMMA = Splitter.on(',').trimResults();

  /** More replicas than any sensible cell has; a longer list is almost certainly a mistake. */
  public static final int MAX_REPLICAS = 9;

  /**
   * The client addresses of the cell {@code scripts/cell start} runs with its defaults (three
   * replicas, base port 7100): what a client uses when it is given no addresses. Kept equal to
   * {@code scripts/cell addresses} by a test.
   */
  public static final String LOCAL_CELL = "127.0.0.1:7101,127.0.0.1:7102,127.0.0.1:7103";

  private final ImmutableList<HostAndPort> replicas;

  private CellAddresses(ImmutableList<HostAndPort> replicas) {
    this.replicas = replicas;
  }

  /**
   * Parses a comma-separated list of {@code host:port}.
   *
   * @throws IllegalArgumentException naming the entry that is wrong
   */
  public static CellAddresses parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new IllegalArgumentException(
          "cell addresses: empty; expected host:port[,host:port...]");
    }
    Set<HostAndPort> seen = new LinkedHashSet<>();
    for (String entry : COMMA.split(spec)) {
      HostAndPort replica = parseEntry(entry);
      if (!seen.add(replica)) {
        throw new IllegalArgumentException("cell addresses: '" + entry + "' is listed twice");
      }
    }
    if (seen.size() > MAX_REPLICAS) {
      throw new IllegalArgumentException(
          "cell addresses: " + seen.size() + " replicas listed, at most " + MAX_REPLICAS);
    }
    return new CellAddresses(ImmutableList.copyOf(seen));
  }

  /** The local development cell's replicas ({@link #LOCAL_CELL}). */
  public static CellAddresses localCell() {
    return parse(LOCAL_CELL);
  }

  private static HostAndPort parseEntry(String entry) {
    HostAndPort replica;
    try {
      replica = HostAndPort.fromString(entry);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "cell addresses: '" + entry + "' is not host:port (" + e.getMessage() + ")", e);
    }
    if (replica.getHost().isEmpty() || !replica.hasPort()) {
      throw new IllegalArgumentException("cell addresses: '" + entry + "' is not host:port");
    }
    return replica;
  }

  public List<HostAndPort> replicas() {
    return replicas;
  }

  /** Unresolved socket addresses, so name lookup happens at connect time, not at parse time. */
  public List<InetSocketAddress> socketAddresses() {
    return replicas.stream()
        .map(r -> InetSocketAddress.createUnresolved(r.getHost(), r.getPort()))
        .collect(ImmutableList.toImmutableList());
  }

  @Override
  public String toString() {
    return String.join(",", replicas.stream().map(HostAndPort::toString).toList());
  }
}
