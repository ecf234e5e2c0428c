package io.tumbler.bench.suite;

import io.tumbler.bench.driver.Driver;
import io.tumbler.bench.zookeeper.EnsembleConfig;
import io.tumbler.bench.zookeeper.ZooKeeperDriver;
import io.tumbler.bench.zookeeper.ZooKeeperEnsemble;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;

/**
 * A three-server ZooKeeper 3.9.5 ensemble ({@link ZooKeeperEnsemble}: one JVM each, {@code
 * forceSync=yes}, clients on 7401–7403), each server with the same heap as a Tumbler replica.
 */
final class ZooKeeperSystem implements BenchedSystem {

  static final int SERVERS = 3;

  /** Heap of each server, the same as each Tumbler replica's in the suite. */
  static final String SERVER_HEAP = "1g";

  /** Idle sessions' timeout: the same as the drivers'. */
  static final int IDLE_SESSION_TIMEOUT_MS = 10_000;

  private final String classpath = System.getProperty("java.class.path");
  private ZooKeeperEnsemble ensemble;

  @Override
  public String name() {
    return "zookeeper";
  }

  @Override
  public Set<Workload> workloads() {
    return EnumSet.complementOf(EnumSet.of(Workload.READ_CACHED));
  }

  @Override
  public void start(Path dir) throws Exception {
    EnsembleConfig config = EnsembleConfig.onPorts(dir, SERVERS, EnsembleConfig.DEFAULT_BASE_PORT);
    ensemble = ZooKeeperEnsemble.start(config, classpath, SERVER_HEAP);
    ensemble.awaitQuorum(START_DEADLINE);
  }

  @Override
  public List<String> addresses() {
    return ensemble.config().clientAddresses();
  }

  @Override
  public Driver newDriver(Workload workload) {
    return workload == Workload.READ_SYNC
        ? ZooKeeperDriver.linearizableReads()
        : ZooKeeperDriver.localReads();
  }

  @Override
  public long leaderPid() {
    return ensemble.running().get(leader()).pid();
  }

  @Override
  public int killLeader() {
    int leader = leader();
    ensemble.running().get(leader).destroyForcibly();
    return leader;
  }

  @Override
  public void restart(int member) throws Exception {
    ProcessHandle old = ensemble.running().get(member);
    if (old != null) {
      old.onExit().get(START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
    ensemble.restart(member, classpath, SERVER_HEAP);
    ensemble.awaitQuorum(START_DEADLINE);
  }

  /** Each ZooKeeper client object runs two threads; a few thousand is what one JVM takes well. */
  @Override
  public int maxIdleSessions() {
    return 2_000;
  }

  @Override
  public IdleSessions openIdleSessions(int n) throws Exception {
    List<ZooKeeper> sessions = new ArrayList<>();
    AtomicInteger alive = new AtomicInteger();
    String connect = String.join(",", addresses());
    try {
      for (int i = 0; i < n; i++) {
        CountDownLatch connected = new CountDownLatch(1);
        boolean[] counted = new boolean[1];
        sessions.add(
            new ZooKeeper(
                connect,
                IDLE_SESSION_TIMEOUT_MS,
                event -> {
                  if (event.getState() == KeeperState.SyncConnected && !counted[0]) {
                    counted[0] = true; // the event thread is the only writer
                    alive.incrementAndGet();
                    connected.countDown();
                  } else if (event.getState() == KeeperState.Expired) {
                    alive.decrementAndGet();
                  }
                }));
        if (!connected.await(START_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
          throw new IOException("idle ZooKeeper session " + i + " did not connect");
        }
      }
    } catch (Exception e) {
      closeAll(sessions);
      throw e;
    }
    return new IdleSessions() {
      @Override
      public int alive() {
        return alive.get();
      }

      @Override
      public void close() {
        closeAll(sessions);
      }
    };
  }

  @Override
  public void close() {
    if (ensemble != null) {
      ensemble.close();
    }
  }

  private int leader() {
    return ensemble
        .leader()
        .orElseThrow(() -> new IllegalStateException("no ZooKeeper server reports leader"));
  }

  private static void closeAll(List<ZooKeeper> sessions) {
    for (ZooKeeper zk : sessions) {
      try {
        zk.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
