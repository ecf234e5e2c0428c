package io.tumbler.chaos.nemesis;

import io.tumbler.chaos.net.ProxiedNetwork.PeerLink;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** One fault the nemesis injects and later heals. */
public sealed interface Fault {

  FaultKind kind();

  /** One line for logs and the fault file, e.g. {@code kill -9 replica 3 (the master)}. */
  String describe();

  record Kill(int replica, boolean wasMaster) implements Fault {
    @Override
    public FaultKind kind() {
      return FaultKind.KILL;
    }

    @Override
    public String describe() {
      return "kill -9 replica " + replica + (wasMaster ? " (the master)" : "");
    }
  }

  record Pause(int replica, boolean wasMaster) implements Fault {
    @Override
    public FaultKind kind() {
      return FaultKind.PAUSE;
    }

    @Override
    public String describe() {
      return "SIGSTOP replica " + replica + (wasMaster ? " (the master)" : "");
    }
  }

  /**
   * Every link between replicas on different sides cut, both ways.
   *
   * @param shape {@code minority} (a random minority from the majority) or {@code isolate-master}
   */
  record Partition(String shape, List<Set<Integer>> sides) implements Fault {
    public Partition {
      sides = List.copyOf(sides);
    }

    @Override
    public FaultKind kind() {
      return FaultKind.PARTITION;
    }

    @Override
    public String describe() {
      return "partition ("
          + shape
          + ") "
          + sides.stream().map(Set::toString).collect(Collectors.joining(" | "));
    }
  }

  /** Some links cut in one direction only. */
  record OneWay(String shape, List<PeerLink> cut) implements Fault {
    public OneWay {
      cut = List.copyOf(cut);
    }

    @Override
    public FaultKind kind() {
      return FaultKind.PARTITION;
    }

    @Override
    public String describe() {
      return "one-way partition (" + shape + ") cutting " + cut;
    }
  }

  /**
   * What one group of clients sends to one replica is dropped; the replica still talks to its peers
   * and to the other groups. Aimed at the master, it makes that group's sessions expire while the
   * others carry on: a lock holder of the group becomes a stale holder.
   */
  record ClientsCut(int group, int replica, boolean wasMaster) implements Fault {
    @Override
    public FaultKind kind() {
      return FaultKind.PARTITION;
    }

    @Override
    public String describe() {
      return "client group "
          + group
          + " cut from replica "
          + replica
          + (wasMaster ? " (the master)" : "");
    }
  }

  /** A majority killed at once, the rest frozen until the majority has a master again. */
  record KillMajority(Set<Integer> killed, Set<Integer> frozen) implements Fault {
    public KillMajority {
      killed = Set.copyOf(killed);
      frozen = Set.copyOf(frozen);
    }

    @Override
    public FaultKind kind() {
      return FaultKind.KILL_MAJORITY;
    }

    @Override
    public String describe() {
      return "kill -9 majority " + sorted(killed) + ", SIGSTOP " + sorted(frozen) + " meanwhile";
    }

    private static String sorted(Set<Integer> ids) {
      return ids.stream().sorted().toList().toString();
    }
  }
}
