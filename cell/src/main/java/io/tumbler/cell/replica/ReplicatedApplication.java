package io.tumbler.cell.replica;

import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.Event;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * What a replica drives with the chosen log: the lock service's state machine, in the server. Every
 * call comes on the replica's applier thread, in log order (the install of the replica's own
 * snapshot on restart comes earlier, on the thread that calls {@link ReplicaNode#start}).
 *
 * <p>Snapshots are streams, never one array: the application writes its state to a snapshot file
 * and reads it back from one, however large the tree.
 */
public interface ReplicatedApplication {

  /**
   * Replace all state with the snapshot taken at {@code index}, streamed from storage: one received
   * from another replica, or this replica's newest on restart. The stream fails (at the latest at
   * its end) if the file is damaged; the replica then stops, so the state half-read never serves.
   */
  void install(long index, InputStream snapshot) throws IOException;

  /** Apply one chosen slot: its commands, in order (a no-op slot has none). */
  void apply(ChosenEntry entry);

  /**
   * Write the application's whole state after the last entry it applied to {@code out}, as {@link
   * #install} will take it back on another replica.
   */
  void snapshot(OutputStream out) throws IOException;

  /** Commands this replica did not take (it is not master, or its queue is full). */
  default void refused(List<Command> commands, int leaderHint) {}

  /**
   * Called once, before the applier starts (after the install of the replica's own snapshot, if
   * any): how to reach the replica.
   */
  default void attach(ReplicaControl replica) {}

  /** A role, lease or epoch change of the replica, after the step that caused it. */
  default void onEvent(long nowNanos, Event event) {}

  /**
   * Called after every step and at least every {@link ReplicaNode#TICK_INTERVAL_NANOS}: timers of
   * the application (session leases, held KeepAlives) run here.
   */
  default void onTick(long nowNanos) {}
}
