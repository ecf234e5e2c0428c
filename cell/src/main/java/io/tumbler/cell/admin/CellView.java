package io.tumbler.cell.admin;

import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.cell.replica.ReplicaStatus;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine.Inspection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What the admin pages show of one replica. Any thread. */
public interface CellView {

  CellConfig config();

  /** The replica's last published status; null before it has started. */
  ReplicaStatus replica();

  /** The service's last published status; null before it has started. */
  ServiceStatus service();

  /**
   * The node at {@code path}, or empty if there is none. Fails with {@link AdminUnavailable} if the
   * replica cannot answer now (overloaded, or too slow).
   */
  CompletableFuture<Optional<Inspection>> browse(String path);

  /** The replica cannot answer an admin request now; the page answers 503. */
  final class AdminUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AdminUnavailable(String message) {
      super(message);
    }
  }
}
