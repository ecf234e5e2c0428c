package io.tumbler.cell.replica;

import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Event;
import io.tumbler.paxos.SnapshotInstall;
import java.util.List;

/**
 * What a replica drives with the chosen log: the lock service's state machine, in the server. Every
 * call comes on the replica's applier thread, in log order.
 */
public interface ReplicatedApplication {

  /** Replace all state with a snapshot taken on another replica. */
  void install(SnapshotInstall snapshot);

  /** Apply one chosen slot: its commands, in order (a no-op slot has none). */
  void apply(ChosenEntry entry);

  /**
   * The application's whole state after the last entry it applied, as {@link #install} will take it
   * back on another replica.
   */
  byte[] snapshot();

  /** Commands this replica did not take (it is not master, or its queue is full). */
  default void refused(List<Command> commands, int leaderHint) {}

  /** Called once, on the applier thread, before anything else: how to reach the replica. */
  default void attach(ReplicaControl replica) {}

  /** A role, lease or epoch change of the replica, after the step that caused it. */
  default void onEvent(long nowNanos, Event event) {}

  /**
   * Called after every step and at least every {@link ReplicaNode#TICK_INTERVAL_NANOS}: timers of
   * the application (session leases, held KeepAlives) run here.
   */
  default void onTick(long nowNanos) {}
}
