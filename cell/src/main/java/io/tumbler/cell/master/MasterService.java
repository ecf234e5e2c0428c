package io.tumbler.cell.master;

import io.tumbler.cell.client.ClientConnection;
import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.replica.ReplicatedApplication;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine;
import io.tumbler.paxos.ChosenEntry;
import io.tumbler.paxos.SnapshotInstall;
import java.util.Optional;
import java.util.function.LongSupplier;

/** Work in progress: the master's client-serving side (sessions, KeepAlive, caching, failover). */
public final class MasterService implements ReplicatedApplication {

  private final LockServiceStateMachine stateMachine;
  private volatile ServiceStatus status = ServiceStatus.STARTING;

  public MasterService(
      CellConfig cell,
      MasterSettings settings,
      LockServiceStateMachine stateMachine,
      LongSupplier wallClockMs,
      ServiceMetrics metrics) {
    this.stateMachine = stateMachine;
  }

  /** A frame from a client. Applier thread only. */
  public void onFrame(ClientConnection connection, Frame frame, long nowNanos) {
    throw new UnsupportedOperationException("not yet");
  }

  /** A client connection closed. Applier thread only. */
  public void onClosed(ClientConnection connection) {}

  /** The node at {@code path}, for the admin tree browser. Applier thread only. */
  public Optional<NodeListing> browse(String path) {
    return Optional.empty();
  }

  /** Any thread. */
  public ServiceStatus status() {
    return status;
  }

  @Override
  public void install(SnapshotInstall snapshot) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void apply(ChosenEntry entry) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public byte[] snapshot() {
    throw new UnsupportedOperationException("not yet");
  }
}
