package io.tumbler.bench.suite;

import io.tumbler.bench.zookeeper.EnsembleConfig;
import io.tumbler.bench.zookeeper.ZooKeeperDriver;
import io.tumbler.bench.zookeeper.ZooKeeperEnsemble;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.Watcher.Event.KeeperState;
import org.apache.zookeeper.ZooKeeper;

/**
 * A three-server ZooKeeper 3.9.5 ensemble ({@link ZooKeeperEnsemble}: one JVM each, {@code
 * forceSync=yes}, clients on 7401–7403), each server with the same heap as a Tumbler replica. Its
 * idle sessions are {@link ZooKeeper} client objects, two threads each: a few thousand is what one
 * JVM takes well.
 */
final class ZooKeeperSystem {

  static final int SERVERS = 3;

  /** Heap of each server, the same as each Tumbler replica's in the suite. */
  static final String SERVER_HEAP = "1g";

  /** Idle sessions' timeout: the same as the drivers'. */
  static final int IDLE_SESSION_TIMEOUT_MS = 10_000;

  static final int MAX_IDLE_SESSIONS = 2_000;

  private ZooKeeperSystem() {}

  static BenchedSystem create() {
    String classpath = System.getProperty("java.class.path");
    return new PeerSystem(
        "zookeeper",
        EnumSet.complementOf(EnumSet.of(Workload.READ_CACHED)),
        dir -> {
          ZooKeeperEnsemble ensemble =
              ZooKeeperEnsemble.start(
                  EnsembleConfig.onPorts(dir, SERVERS, EnsembleConfig.DEFAULT_BASE_PORT),
                  classpath,
                  SERVER_HEAP);
          ensemble.awaitQuorum(BenchedSystem.START_DEADLINE);
          return ensemble;
        },
        workload ->
            workload == Workload.READ_SYNC
                ? ZooKeeperDriver.linearizableReads()
                : ZooKeeperDriver.localReads(),
        MAX_IDLE_SESSIONS,
        ZooKeeperSystem::openIdleSessions);
  }

  private static BenchedSystem.IdleSessions openIdleSessions(List<String> addresses, int n)
      throws Exception {
    List<ZooKeeper> sessions = new ArrayList<>();
    AtomicInteger alive = new AtomicInteger();
    String connect = String.join(",", addresses);
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
        if (!connected.await(BenchedSystem.START_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
          throw new IOException("idle ZooKeeper session " + i + " did not connect");
        }
      }
    } catch (Exception e) {
      closeAll(sessions);
      throw e;
    }
    return new BenchedSystem.IdleSessions() {
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
