package io.tumbler.bench.suite;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.tumbler.bench.etcd.EtcdCluster;
import io.tumbler.bench.etcd.EtcdClusterConfig;
import io.tumbler.bench.etcd.EtcdDriver;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
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
final class EtcdSystem {

  static final int MEMBERS = 3;

  /** An idle session's lease, the same as the driver's. */
  static final long IDLE_LEASE_TTL_SECONDS = 10;

  /** Lease grants in flight at once while opening idle sessions. */
  static final int CONCURRENT_GRANTS = 256;

  /** Leases are cheap for the client (one stream renews them all); this bounds the run's length. */
  static final int MAX_IDLE_SESSIONS = 10_000;

  private EtcdSystem() {}

  /** The system, or empty if there is no {@code etcd} binary to run. */
  static Optional<BenchedSystem> ifInstalled() {
    return EtcdCluster.findBinary().map(binary -> create());
  }

  private static BenchedSystem create() {
    return new PeerSystem(
        "etcd",
        EnumSet.complementOf(EnumSet.of(Workload.READ_SYNC, Workload.READ_CACHED)),
        dir -> {
          EtcdCluster cluster =
              EtcdCluster.start(
                  EtcdClusterConfig.onPorts(dir, MEMBERS, EtcdClusterConfig.DEFAULT_BASE_PORT));
          cluster.awaitQuorum(BenchedSystem.START_DEADLINE);
          return cluster;
        },
        workload -> new EtcdDriver(),
        MAX_IDLE_SESSIONS,
        EtcdSystem::openIdleSessions);
  }

  private static BenchedSystem.IdleSessions openIdleSessions(List<String> addresses, int n)
      throws Exception {
    Client client =
        Client.builder()
            .endpoints(addresses.stream().map(a -> "http://" + a).toArray(String[]::new))
            .build();
    Queue<CloseableClient> keepAlives = new ConcurrentLinkedQueue<>();
    AtomicInteger alive = new AtomicInteger();
    BenchedSystem.IdleSessions sessions =
        new BenchedSystem.IdleSessions() {
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
          .get(BenchedSystem.START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      sessions.close();
      throw e;
    }
    return sessions;
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
