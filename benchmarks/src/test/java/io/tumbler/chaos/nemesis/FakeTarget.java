package io.tumbler.chaos.nemesis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A cell that only remembers what was done to it; the master is the lowest running replica. */
final class FakeTarget implements FaultTarget {

  private final List<Integer> ids;
  private final Set<Integer> dead = new HashSet<>();
  private final Set<Integer> frozen = new HashSet<>();
  private final Set<String> cuts = new HashSet<>();
  final List<String> actions = new ArrayList<>();

  FakeTarget(int replicas) {
    List<Integer> list = new ArrayList<>();
    for (int id = 1; id <= replicas; id++) {
      list.add(id);
    }
    this.ids = List.copyOf(list);
  }

  @Override
  public List<Integer> replicaIds() {
    return ids;
  }

  @Override
  public synchronized Optional<Integer> master() {
    return ids.stream().filter(id -> !dead.contains(id) && !frozen.contains(id)).findFirst();
  }

  @Override
  public Optional<Integer> awaitServingMaster(Duration atMost) {
    return master();
  }

  @Override
  public synchronized void kill9(int replica) {
    actions.add("kill " + replica);
    dead.add(replica);
  }

  @Override
  public synchronized void restart(int replica) {
    actions.add("restart " + replica);
    dead.remove(replica);
  }

  @Override
  public synchronized void pause(int replica) {
    actions.add("pause " + replica);
    frozen.add(replica);
  }

  @Override
  public synchronized void resume(int replica) {
    actions.add("resume " + replica);
    frozen.remove(replica);
  }

  @Override
  public synchronized void partition(Collection<Set<Integer>> sides) {
    actions.add("partition " + sides);
    cuts.add("partition " + sides);
  }

  @Override
  public synchronized void cut(int from, int to) {
    actions.add("cut " + from + "->" + to);
    cuts.add(from + "->" + to);
  }

  @Override
  public int clientGroups() {
    return 2;
  }

  @Override
  public synchronized void cutClients(int group, int replica) {
    actions.add("cut clients " + group + "->" + replica);
    cuts.add("clients " + group + "->" + replica);
  }

  @Override
  public synchronized void healNetwork() {
    cuts.clear();
  }

  @Override
  public synchronized boolean running(int replica) {
    return !dead.contains(replica);
  }

  @Override
  public synchronized boolean paused(int replica) {
    return frozen.contains(replica);
  }

  synchronized boolean whole() {
    return dead.isEmpty() && frozen.isEmpty() && cuts.isEmpty();
  }
}
