package io.tumbler.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A peer system's cluster running as local processes, as the side-by-side benchmark drives it. */
public interface LocalCluster extends AutoCloseable {

  /** {@code host:port} of each member, for clients. */
  List<String> clientAddresses();

  /** Members whose process is alive, by member id. */
  Map<Integer, ProcessHandle> running();

  /** The member that leads now, if one does. */
  Optional<Integer> leader();

  /** Starts member {@code id} again after it was killed; returns without waiting for it. */
  void restart(int id) throws IOException;

  /** Returns once every member runs and the cluster has a leader. */
  void awaitQuorum(Duration atMost) throws InterruptedException;

  /** Stops every member. */
  @Override
  void close();
}
