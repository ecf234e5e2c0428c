package io.tumbler.bench.zookeeper;

import static com.google.common.base.Preconditions.checkState;

import io.tumbler.bench.driver.Driver;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

/**
 * {@link Driver} on ZooKeeper: keys are znodes under {@code /bench/} written and read with the
 * plain client ({@code setData}, {@code getData}: ZooKeeper's own fast path, no recipe in the way);
 * locks are Curator {@link InterProcessMutex}es under {@code /bench-locks/}, the lock ZooKeeper
 * users reach for. One ZooKeeper session per driver, which Curator owns.
 *
 * <p>ZooKeeper's {@code getData} is answered by whichever server the session is connected to and
 * may be stale; {@link #linearizableReads()} issues {@code sync} first, the closest ZooKeeper comes
 * to a read through the leader.
 */
public final class ZooKeeperDriver implements Driver {

  static final String KEYS_DIR = "/bench";
  static final String LOCKS_DIR = "/bench-locks";
  static final int SESSION_TIMEOUT_MS = 10_000;

  /** Curator's per-attempt connection timeout; it warns unless this is below the session's. */
  static final int CONNECTION_TIMEOUT_MS = 5_000;

  /** How long {@link #connect} waits for a first connection. */
  static final int CONNECT_DEADLINE_MS = 30_000;

  private final boolean syncBeforeRead;
  private final Map<String, InterProcessMutex> locks = new HashMap<>();
  private CuratorFramework curator;

  private ZooKeeperDriver(boolean syncBeforeRead) {
    this.syncBeforeRead = syncBeforeRead;
  }

  /** Reads with plain {@code getData}, served by the connected server, possibly stale. */
  public static ZooKeeperDriver localReads() {
    return new ZooKeeperDriver(false);
  }

  /** Reads with {@code sync} then {@code getData}. */
  public static ZooKeeperDriver linearizableReads() {
    return new ZooKeeperDriver(true);
  }

  @Override
  public void connect(List<String> addresses) throws Exception {
    checkState(curator == null, "already connected");
    curator =
        CuratorFrameworkFactory.builder()
            .connectString(String.join(",", addresses))
            .sessionTimeoutMs(SESSION_TIMEOUT_MS)
            .connectionTimeoutMs(CONNECTION_TIMEOUT_MS)
            .retryPolicy(new RetryNTimes(3, 100))
            .build();
    curator.start();
    if (!curator.blockUntilConnected(CONNECT_DEADLINE_MS, TimeUnit.MILLISECONDS)) {
      throw new IOException("no ZooKeeper server at " + addresses + " answered in time");
    }
    for (String dir : List.of(KEYS_DIR, LOCKS_DIR)) {
      try {
        zooKeeper().create(dir, new byte[0], ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException e) {
        // another driver made it first
      }
    }
  }

  @Override
  public void write(String key, byte[] value) throws Exception {
    String path = KEYS_DIR + "/" + Driver.checkName(key);
    ZooKeeper zk = zooKeeper();
    try {
      zk.setData(path, value, -1);
    } catch (KeeperException.NoNodeException e) {
      try {
        zk.create(path, value, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
      } catch (KeeperException.NodeExistsException raced) {
        zk.setData(path, value, -1);
      }
    }
  }

  @Override
  public byte[] read(String key) throws Exception {
    String path = KEYS_DIR + "/" + Driver.checkName(key);
    ZooKeeper zk = zooKeeper();
    if (syncBeforeRead) {
      zk.sync(path);
    }
    return zk.getData(path, false, null);
  }

  @Override
  public void acquire(String lock) throws Exception {
    mutex(lock).acquire();
  }

  @Override
  public void release(String lock) throws Exception {
    mutex(lock).release();
  }

  @Override
  public void close() {
    if (curator != null) {
      curator.close(); // closes the session: ZooKeeper deletes its lock znodes (ephemeral)
    }
  }

  /** The session's current ZooKeeper handle (Curator replaces it after an expiry). */
  private ZooKeeper zooKeeper() throws Exception {
    checkState(curator != null, "not connected");
    return curator.getZookeeperClient().getZooKeeper();
  }

  private InterProcessMutex mutex(String name) {
    checkState(curator != null, "not connected");
    return locks.computeIfAbsent(
        Driver.checkName(name), n -> new InterProcessMutex(curator, LOCKS_DIR + "/" + n));
  }
}
