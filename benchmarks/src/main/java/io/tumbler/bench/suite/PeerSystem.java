package io.tumbler.bench.suite;

import io.tumbler.bench.LocalCluster;
import io.tumbler.bench.driver.Driver;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A peer system (ZooKeeper, etcd) as the suite drives it: its {@link LocalCluster}, its driver and
 * its idle sessions, given by {@link ZooKeeperSystem} and {@link EtcdSystem}.
 */
final class PeerSystem implements BenchedSystem {

  /** Starts the cluster with its data under a directory; returns once it has a quorum. */
  @FunctionalInterface
  interface Launcher {
    LocalCluster start(Path dir) throws Exception;
  }

  /** Opens idle sessions against the members at the given addresses. */
  @FunctionalInterface
  interface IdleSessionOpener {
    IdleSessions open(List<String> addresses, int n) throws Exception;
  }

  private final String name;
  private final Set<Workload> workloads;
  private final Launcher launcher;
  private final Function<Workload, Driver> drivers;
  private final int maxIdleSessions;
  private final IdleSessionOpener idleSessions;
  private LocalCluster cluster;

  PeerSystem(
      String name,
      Set<Workload> workloads,
      Launcher launcher,
      Function<Workload, Driver> drivers,
      int maxIdleSessions,
      IdleSessionOpener idleSessions) {
    this.name = name;
    this.workloads = EnumSet.copyOf(workloads);
    this.launcher = launcher;
    this.drivers = drivers;
    this.maxIdleSessions = maxIdleSessions;
    this.idleSessions = idleSessions;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Set<Workload> workloads() {
    return EnumSet.copyOf(workloads);
  }

  @Override
  public void start(Path dir) throws Exception {
    cluster = launcher.start(dir);
  }

  @Override
  public List<String> addresses() {
    return cluster.clientAddresses();
  }

  @Override
  public Driver newDriver(Workload workload) {
    return drivers.apply(workload);
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

  @Override
  public int maxIdleSessions() {
    return maxIdleSessions;
  }

  @Override
  public IdleSessions openIdleSessions(int n) throws Exception {
    return idleSessions.open(addresses(), n);
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
        .orElseThrow(() -> new IllegalStateException("no " + name + " member reports leading"));
  }
}
