package io.tumbler.bench.suite;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.tumbler.bench.driver.Driver;
import io.tumbler.bench.etcd.EtcdCluster;
import io.tumbler.bench.etcd.EtcdClusterConfig;
import io.tumbler.bench.etcd.EtcdDriver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A three-member etcd 3.4 cluster ({@link EtcdCluster}: the Debian package's binary, its durable
 * defaults, clients on 7501–7503). Its sessions are leases, as etcd's own concurrency package makes
 * them: the idle sessions are leases kept alive by one jetcd client.
 */
final class EtcdSystem implements BenchedSystem {

  static final int MEMBERS = 3;

  /** An idle session's lease, the same as the driver's. */
  static final long IDLE_LEASE_TTL_SECONDS = 10;

  /** Lease grants in flight at once while opening idle sessions. */
  static final int CONCURRENT_GRANTS = 256;

  private EtcdCluster cluster;

  private EtcdSystem() {}

  /** The system, or empty if there is no {@code etcd} binary to run. */
  static Optional<BenchedSystem> ifInstalled() {
    return EtcdCluster.findBinary().map(binary -> new EtcdSystem());
  }

  @Override
  public String name() {
    return "etcd";
  }

  @Override
  public Set<Workload> workloads() {
    return EnumSet.complementOf(EnumSet.of(Workload.READ_SYNC, Workload.READ_CACHED));
  }

  @Override
  public void start(Path dir) throws Exception {
    cluster =
        EtcdCluster.start(
            EtcdClusterConfig.onPorts(dir, MEMBERS, EtcdClusterConfig.DEFAULT_BASE_PORT));
    cluster.awaitQuorum(START_DEADLINE);
  }

  @Override
  public List<String> addresses() {
    return cluster.config().clientAddresses();
  }

  @Override
  public Driver newDriver(Workload workload) {
    return new EtcdDriver();
  }

  @Override
  public long leaderPid() {
    return cluster.running().get(leader()).pid();
  }

  @Override
  public int killLeader() {
    int leader = leader();
    cluster.running().get(leader).destroyForcibly();
    return leader;
  }

  @Override
  public void restart(int member) throws Exception {
    ProcessHandle old = cluster.running().get(member);
    if (old != null) {
      old.onExit().get(START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
    cluster.restart(member);
    cluster.awaitQuorum(START_DEADLINE);
  }

  /** Leases are cheap for the client: one stream renews them all. */
  @Override
  public int maxIdleSessions() {
    return 10_000;
  }

  @Override
  public IdleSessions openIdleSessions(int n) throws Exception {
    Client client =
        Client.builder()
            .endpoints(addresses().stream().map(a -> "http://" + a).toArray(String[]::new))
            .build();
    Queue<CloseableClient> keepAlives = new ConcurrentLinkedQueue<>();
    AtomicInteger alive = new AtomicInteger();
    IdleSessions sessions =
        new IdleSessions() {
          @Override
          public int alive() {
            return alive.get();
          }

          @Override
          public void close() {
            keepAlives.forEach(CloseableClient::close);
            client.close();
          }
        };
    try {
      Semaphore slots = new Semaphore(CONCURRENT_GRANTS);
      List<CompletableFuture<?>> granted = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        slots.acquire();
        CompletableFuture<?> one =
            client
                .getLeaseClient()
                .grant(IDLE_LEASE_TTL_SECONDS)
                .thenAccept(
                    g -> {
                      alive.incrementAndGet();
                      keepAlives.add(
                          client.getLeaseClient().keepAlive(g.getID(), new LeaseObserver(alive)));
                    });
        one.whenComplete((ok, failure) -> slots.release());
        granted.add(one);
      }
      CompletableFuture.allOf(granted.toArray(CompletableFuture[]::new))
          .get(START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      sessions.close();
      throw e;
    }
    return sessions;
  }

  @Override
  public void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private int leader() {
    return cluster
        .leader()
        .orElseThrow(() -> new IllegalStateException("no etcd member reports itself leader"));
  }

  /** Counts a lease as lost when its keep-alive stream fails or ends. */
  private static final class LeaseObserver implements StreamObserver<LeaseKeepAliveResponse> {
    private final AtomicInteger alive;
    private boolean lost;

    LeaseObserver(AtomicInteger alive) {
      this.alive = alive;
    }

    @Override
    public void onNext(LeaseKeepAliveResponse r) {}

    @Override
    public synchronized void onError(Throwable t) {
      lose();
    }

    @Override
    public synchronized void onCompleted() {
      lose();
    }

    private void lose() {
      if (!lost) {
        lost = true;
        alive.decrementAndGet();
      }
    }
  }
}
