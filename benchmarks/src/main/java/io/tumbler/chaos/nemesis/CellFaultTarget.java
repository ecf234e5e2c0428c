package io.tumbler.chaos.nemesis;

import io.tumbler.chaos.cell.ChaosCell;
import io.tumbler.chaos.net.Direction;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The nemesis's faults, done to a {@link ChaosCell}. */
public final class CellFaultTarget implements FaultTarget {

  private final ChaosCell cell;

  public CellFaultTarget(ChaosCell cell) {
    this.cell = cell;
  }

  @Override
  public List<Integer> replicaIds() {
    return cell.replicaIds();
  }

  @Override
  public Optional<Integer> master() {
    return cell.master();
  }

  @Override
  public Optional<Integer> awaitServingMaster(Duration atMost) throws InterruptedException {
    try {
      return Optional.of(cell.awaitServingMaster(atMost));
    } catch (IllegalStateException e) {
      return Optional.empty();
    }
  }

  @Override
  public void kill9(int replica) throws InterruptedException {
    cell.kill9(replica);
  }

  @Override
  public void restart(int replica) throws Exception {
    cell.restart(replica);
  }

  @Override
  public void pause(int replica) throws Exception {
    cell.pause(replica);
  }

  @Override
  public void resume(int replica) throws Exception {
    cell.resume(replica);
  }

  @Override
  public void partition(Collection<Set<Integer>> sides) {
    cell.network().partition(sides);
  }

  @Override
  public void cut(int from, int to) {
    cell.network().cut(from, to);
  }

  @Override
  public int clientGroups() {
    return cell.clientGroups();
  }

  @Override
  public void cutClients(int group, int replica) {
    cell.network().cutClients(group, replica, Direction.TO_SERVER);
  }

  @Override
  public void healNetwork() {
    cell.network().healAll();
  }

  @Override
  public boolean running(int replica) {
    return cell.running(replica);
  }

  @Override
  public boolean paused(int replica) {
    return cell.paused(replica);
  }
}
