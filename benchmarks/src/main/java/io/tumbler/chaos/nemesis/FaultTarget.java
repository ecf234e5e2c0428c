package io.tumbler.chaos.nemesis;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the nemesis can do to a cell. {@link CellFaultTarget} does it to a {@code ChaosCell}; tests
 * of the schedule use a fake that only records.
 */
public interface FaultTarget {

  List<Integer> replicaIds();

  /** The master now, if one holds its lease. */
  Optional<Integer> master();

  /** Waits, at most {@code atMost}, for a master that serves every operation. */
  Optional<Integer> awaitServingMaster(Duration atMost) throws InterruptedException;

  void kill9(int replica) throws Exception;

  void restart(int replica) throws Exception;

  void pause(int replica) throws Exception;

  void resume(int replica) throws Exception;

  /** Cuts every link between replicas of different sides, both ways. */
  void partition(Collection<Set<Integer>> sides);

  /** Cuts the messages {@code from -> to} only. */
  void cut(int from, int to);

  /** How many groups of clients can be cut apart. */
  int clientGroups();

  /** Drops everything clients of {@code group} send to {@code replica}. */
  void cutClients(int group, int replica);

  /** Heals every link. */
  void healNetwork();

  /** Whether the replica's process runs (paused or not). */
  boolean running(int replica);

  boolean paused(int replica);
}
