package io.tumbler.chaos.net;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import io.netty.channel.EventLoopGroup;
import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.peer.NettyTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The network of a chaos cell: a {@link FaultProxy} for every ordered pair of replicas, and for
 * every <em>client group</em> one in front of every replica's client port, so that any link can be
 * cut in either direction.
 *
 * <p><b>Replica to replica.</b> A replica opens one outbound connection to each peer and only sends
 * on it; it only receives on connections its peers opened (the cell's {@code PeerTransport}). So
 * the connection replica {@code i} opens to replica {@code j} carries exactly the messages {@code i
 * -> j}, and a proxy dedicated to that ordered pair cuts exactly that direction. Replica {@code i}
 * reaches it because its YAML names every other replica's peer address as the proxy for {@code (i
 * -> j)}: the configuration loader requires only a replica's own entry to be its real listen
 * address, and the addresses of members never enter the replicated state. So one-way partitions
 * need nothing but a different YAML per replica.
 *
 * <p><b>Client to replica.</b> Clients are split into groups, each with its own proxies, so that
 * one group can lose a replica (say, the master) while another keeps it: a lock holder in the cut
 * group loses its session while a client of the other group takes the lock. Replicas name each
 * other by group 0's client proxies; {@link MasterAddressRewriter} turns every replica address in
 * an answer (a master naming itself by its real address, or a redirect naming group 0's proxy) into
 * the asking group's proxy, so a client never leaves its group's proxies.
 */
public final class ProxiedNetwork implements AutoCloseable {

  /** The proxies' network threads: relaying is light, and the machine is small. */
  static final int IO_THREADS = 2;

  /** An ordered pair of replicas: the messages {@code from -> to}. */
  public record PeerLink(int from, int to) {
    public PeerLink {
      checkArgument(from != to, "a replica has no link to itself");
    }

    @Override
    public String toString() {
      return from + "->" + to;
    }
  }

  /** The clients of one group and one replica. */
  record ClientLink(int group, int replica) {
    @Override
    public String toString() {
      return "clients" + group + "->" + replica;
    }
  }

  private final EventLoopGroup group;
  private final Map<PeerLink, FaultProxy> peerProxies;
  private final Map<ClientLink, FaultProxy> clientProxies;
  private final int clientGroups;

  private ProxiedNetwork(
      EventLoopGroup group,
      Map<PeerLink, FaultProxy> peerProxies,
      Map<ClientLink, FaultProxy> clientProxies,
      int clientGroups) {
    this.group = group;
    this.peerProxies = peerProxies;
    this.clientProxies = clientProxies;
    this.clientGroups = clientGroups;
  }

  /**
   * Starts a proxy for every ordered pair of the replicas and, per client group, one before each
   * client port, on ports from {@code ports}.
   *
   * @param realPeers each replica's real peer address ({@code host:port}), by id
   * @param realClients each replica's real client address, by id
   * @param clientGroups how many groups of clients can be cut separately (at least 1)
   */
  public static ProxiedNetwork start(
      Map<Integer, String> realPeers,
      Map<Integer, String> realClients,
      int clientGroups,
      LoopbackPorts ports)
      throws IOException, InterruptedException {
    checkArgument(realPeers.keySet().equals(realClients.keySet()), "the same replicas, please");
    checkArgument(clientGroups >= 1, "at least one client group");
    List<Integer> ids = new ArrayList<>(new TreeMap<>(realPeers).keySet());
    int needed = ids.size() * (ids.size() - 1) + clientGroups * ids.size();
    List<Integer> picked = ports.pick(needed);
    EventLoopGroup loops = NettyTransport.newEventLoopGroup(IO_THREADS);
    Map<PeerLink, FaultProxy> peerProxies = new TreeMap<>(ProxiedNetwork::compareLinks);
    int next = 0;
    for (int from : ids) {
      for (int to : ids) {
        if (from != to) {
          PeerLink link = new PeerLink(from, to);
          peerProxies.put(
              link,
              new FaultProxy(
                  "peer " + link,
                  new InetSocketAddress("127.0.0.1", picked.get(next++)),
                  CellConfig.socketAddress(realPeers.get(to)),
                  loops,
                  null));
        }
      }
    }
    Map<ClientLink, Integer> clientPorts = new HashMap<>();
    for (int g = 0; g < clientGroups; g++) {
      for (int id : ids) {
        clientPorts.put(new ClientLink(g, id), picked.get(next++));
      }
    }
    Map<ClientLink, FaultProxy> clientProxies = new TreeMap<>(ProxiedNetwork::compareClientLinks);
    for (int g = 0; g < clientGroups; g++) {
      // Whatever address an answer names a replica by, the group's own proxy replaces it.
      Map<String, String> ownProxy = new HashMap<>();
      for (int id : ids) {
        String own = LoopbackPorts.loopback(clientPorts.get(new ClientLink(g, id)));
        ownProxy.put(realClients.get(id), own);
        ownProxy.put(LoopbackPorts.loopback(clientPorts.get(new ClientLink(0, id))), own);
      }
      for (int id : ids) {
        ClientLink link = new ClientLink(g, id);
        clientProxies.put(
            link,
            new FaultProxy(
                link.toString(),
                new InetSocketAddress("127.0.0.1", clientPorts.get(link)),
                CellConfig.socketAddress(realClients.get(id)),
                loops,
                () -> new MasterAddressRewriter(ownProxy)));
      }
    }
    ProxiedNetwork network =
        new ProxiedNetwork(
            loops,
            ImmutableMap.copyOf(peerProxies),
            ImmutableMap.copyOf(clientProxies),
            clientGroups);
    try {
      for (FaultProxy proxy : network.allProxies()) {
        proxy.start();
      }
    } catch (InterruptedException | RuntimeException e) {
      network.close();
      throw e;
    }
    return network;
  }

  private static int compareLinks(PeerLink a, PeerLink b) {
    return a.from() != b.from()
        ? Integer.compare(a.from(), b.from())
        : Integer.compare(a.to(), b.to());
  }

  private static int compareClientLinks(ClientLink a, ClientLink b) {
    return a.group() != b.group()
        ? Integer.compare(a.group(), b.group())
        : Integer.compare(a.replica(), b.replica());
  }

  private List<FaultProxy> allProxies() {
    List<FaultProxy> all = new ArrayList<>(peerProxies.values());
    all.addAll(clientProxies.values());
    return all;
  }

  public int clientGroups() {
    return clientGroups;
  }

  /** The address replica {@code from} dials to reach {@code to}'s peer port: the link's proxy. */
  public String peerAddress(int from, int to) {
    return address(proxy(new PeerLink(from, to)));
  }

  /** The address replicas name {@code replica} by to clients: group 0's proxy. */
  public String clientAddress(int replica) {
    return address(clientProxy(0, replica));
  }

  /** Every replica's client proxy for clients of {@code group}, in id order. */
  public List<String> clientAddresses(int group) {
    checkArgument(group >= 0 && group < clientGroups, "no client group %s", group);
    return clientProxies.entrySet().stream()
        .filter(e -> e.getKey().group() == group)
        .map(e -> address(e.getValue()))
        .toList();
  }

  /** Drops the messages {@code from -> to}; the other direction is untouched. */
  public void cut(int from, int to) {
    proxy(new PeerLink(from, to)).block(Direction.TO_SERVER);
  }

  /**
   * Cuts every link between replicas in different {@code sides}, both ways. Replicas in no side
   * keep their links.
   */
  public void partition(Collection<Set<Integer>> sides) {
    for (Set<Integer> a : sides) {
      for (Set<Integer> b : sides) {
        if (a != b) {
          for (int from : a) {
            for (int to : b) {
              cut(from, to);
            }
          }
        }
      }
    }
  }

  /** Drops what clients of {@code group} send to {@code replica}, or what it answers them. */
  public void cutClients(int group, int replica, Direction direction) {
    clientProxy(group, replica).block(direction);
  }

  /** Heals every link, closing the connections that lost bytes. */
  public void healAll() {
    allProxies().forEach(FaultProxy::heal);
  }

  /** The links cut now, e.g. {@code peers 1->2 1->3; clients0->4 TO_SERVER}; empty if none. */
  public String describeCuts() {
    String peers =
        peerProxies.entrySet().stream()
            .filter(e -> e.getValue().blocked(Direction.TO_SERVER))
            .map(e -> e.getKey().toString())
            .collect(Collectors.joining(" "));
    String clients =
        clientProxies.values().stream()
            .flatMap(
                p ->
                    Arrays.stream(Direction.values())
                        .filter(p::blocked)
                        .map(d -> p.name() + " " + d))
            .collect(Collectors.joining(" "));
    return (peers.isEmpty() ? "" : "peers " + peers)
        + (peers.isEmpty() || clients.isEmpty() ? "" : "; ")
        + clients;
  }

  private FaultProxy proxy(PeerLink link) {
    FaultProxy proxy = peerProxies.get(link);
    checkArgument(proxy != null, "no link %s", link);
    return proxy;
  }

  private FaultProxy clientProxy(int group, int replica) {
    FaultProxy proxy = clientProxies.get(new ClientLink(group, replica));
    checkArgument(proxy != null, "no client group %s or replica %s", group, replica);
    return proxy;
  }

  private static String address(FaultProxy proxy) {
    InetSocketAddress a = proxy.listenAddress();
    return a.getHostString() + ":" + a.getPort();
  }

  @Override
  public void close() {
    allProxies().forEach(FaultProxy::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
