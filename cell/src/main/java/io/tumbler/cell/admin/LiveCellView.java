package io.tumbler.cell.admin;

import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.master.MasterService;
import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.cell.replica.ReplicaNode;
import io.tumbler.cell.replica.ReplicaStatus;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine.Inspection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The admin pages' view of a running replica: statuses read from what the replica and the service
 * publish, and the tree browser's reads run on the applier thread, which owns the state.
 */
public final class LiveCellView implements CellView {

  /** How long the tree browser waits for the applier before answering 503. */
  public static final long BROWSE_TIMEOUT_MS = 2_000;

  private final CellConfig config;
  private final Supplier<ReplicaStatus> replica;
  private final Supplier<ServiceStatus> service;
  private final Predicate<Runnable> applier;
  private final Function<String, Optional<Inspection>> browser;
  private final long browseTimeoutMs;

  /**
   * @param applier runs a task on the applier thread; false if its inbox is full
   * @param browser reads a node; called on the applier thread only
   */
  LiveCellView(
      CellConfig config,
      Supplier<ReplicaStatus> replica,
      Supplier<ServiceStatus> service,
      Predicate<Runnable> applier,
      Function<String, Optional<Inspection>> browser,
      long browseTimeoutMs) {
    this.config = config;
    this.replica = replica;
    this.service = service;
    this.applier = applier;
    this.browser = browser;
    this.browseTimeoutMs = browseTimeoutMs;
  }

  public LiveCellView(CellConfig config, ReplicaNode node, MasterService master) {
    this(config, node::status, master::status, node::execute, master::browse, BROWSE_TIMEOUT_MS);
  }

  @Override
  public CellConfig config() {
    return config;
  }

  @Override
  public ReplicaStatus replica() {
    return replica.get();
  }

  @Override
  public ServiceStatus service() {
    return service.get();
  }

  @Override
  public CompletableFuture<Optional<Inspection>> browse(String path) {
    CompletableFuture<Optional<Inspection>> listing = new CompletableFuture<>();
    boolean queued =
        applier.test(
            () -> {
              // Caught here: an exception escaping a task would stop the applier, and a page
              // view must never do that.
              try {
                listing.complete(browser.apply(path));
              } catch (RuntimeException e) {
                listing.completeExceptionally(e);
              }
            });
    if (!queued) {
      listing.completeExceptionally(new AdminUnavailable("the replica is overloaded; try again"));
      return listing;
    }
    return listing
        .orTimeout(browseTimeoutMs, TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            e ->
                CompletableFuture.failedFuture(
                    e instanceof TimeoutException
                        ? new AdminUnavailable(
                            "the replica did not answer within " + browseTimeoutMs + " ms")
                        : e));
  }
}
