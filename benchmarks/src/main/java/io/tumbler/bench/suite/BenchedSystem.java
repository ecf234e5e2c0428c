package io.tumbler.bench.suite;

import io.tumbler.bench.driver.Driver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A coordination system under benchmark: a three-member cluster on loopback, durable (each member
 * fsyncs before acknowledging), started and stopped by the suite. One implementation per system;
 * the workloads see only this and {@link Driver}.
 */
interface BenchedSystem extends AutoCloseable {

  /** How long a cluster may take to start, or a killed member to rejoin. */
  Duration START_DEADLINE = Duration.ofSeconds(120);

  /** {@code tumbler}, {@code zookeeper} or {@code etcd}: the {@link Row#system} of its results. */
  String name();

  /** The workloads this system has; the others are skipped for it. */
  Set<Workload> workloads();

  /** Starts the cluster with its data under {@code dir}; returns once it serves clients. */
  void start(Path dir) throws Exception;

  /** {@code host:port} of each member, for clients. */
  List<String> addresses();

  /** A new, unconnected client session suited to {@code workload} (e.g. a caching one). */
  Driver newDriver(Workload workload);

  /** The process id of the member that leads now (master, leader). */
  long leaderPid() throws Exception;

  /** Kills the leading member with SIGKILL; returns its member id for {@link #restart}. */
  int killLeader() throws Exception;

  /** Starts member {@code member} again after {@link #killLeader}; returns once it serves. */
  void restart(int member) throws Exception;

  /**
   * The most idle sessions {@link #openIdleSessions} can hold in one load-generator JVM; larger
   * {@code sessions} runs are skipped for this system, with a message.
   */
  int maxIdleSessions();

  /** Opens {@code n} sessions that only keep themselves alive. */
  IdleSessions openIdleSessions(int n) throws Exception;

  /** Stops every member. */
  @Override
  void close();

  /** Sessions held open by {@link #openIdleSessions}. */
  interface IdleSessions extends AutoCloseable {
    /** Sessions still alive (not expired or failed). */
    int alive();

    @Override
    void close();
  }
}
