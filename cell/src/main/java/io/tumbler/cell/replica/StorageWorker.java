package io.tumbler.cell.replica;

import io.tumbler.paxos.durable.ChronicleStorage;
import io.tumbler.paxos.durable.LogOptions;
import io.tumbler.paxos.storage.PersistRequest;
import io.tumbler.paxos.storage.PersistentState;
import io.tumbler.paxos.storage.StorageRecord;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that owns a replica's durable storage. It takes every persist request queued since its
 * last sync, writes them, makes them durable with one sync (group commit), and reports the highest
 * durable token. It opens the storage itself, since Chronicle's appender belongs to one thread.
 *
 * <p>If a write or sync fails it reports the failure once and stops: no later request is ever
 * reported durable, so the replica stops acknowledging.
 *
 * <p>With {@link PlantedStorageBugs#ackBeforeWriteMs} (tests only) it reports votes durable before
 * writing them, and writes them that much later.
 */
final class StorageWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StorageWorker.class);

  private final Path dataDirectory;
  private final LogOptions options;
  private final LongConsumer onDurable;
  private final Consumer<Throwable> onFailure;
  private final LongConsumer onSyncNanos;
  private final PlantedStorageBugs planted;
  private final BlockingQueue<PersistRequest> queue = new LinkedBlockingQueue<>();
  private final CompletableFuture<PersistentState> opened = new CompletableFuture<>();
  private final Thread thread;
  private volatile boolean running = true;

  StorageWorker(
      String name,
      Path dataDirectory,
      LogOptions options,
      LongConsumer onDurable,
      Consumer<Throwable> onFailure,
      LongConsumer onSyncNanos,
      PlantedStorageBugs planted) {
    this.dataDirectory = dataDirectory;
    this.options = options;
    this.onDurable = onDurable;
    this.onFailure = onFailure;
    this.onSyncNanos = onSyncNanos;
    this.planted = planted;
    this.thread = new Thread(this::run, name);
  }

  /** Opens the storage on the worker thread and returns what it holds. */
  CompletableFuture<PersistentState> start() {
    thread.start();
    return opened;
  }

  /** Queues a request; it is reported durable through {@code onDurable}. Any thread. */
  void submit(PersistRequest request) {
    queue.add(request);
  }

  private void run() {
    ChronicleStorage storage;
    try {
      storage = ChronicleStorage.open(dataDirectory, options);
      storage.recoveryNotes().forEach(note -> log.warn("{}: {}", dataDirectory, note));
      opened.complete(storage.load());
    } catch (Exception | Error e) {
      opened.completeExceptionally(e);
      return;
    }
    try (storage) {
      if (planted.any()) {
        log.error(
            "{}: PLANTED BUG (tests only): votes are acknowledged {} ms before they are written",
            dataDirectory,
            planted.ackBeforeWriteMs());
        runAckingBeforeWrite(storage);
      } else {
        runGroupCommits(storage);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      if (running) {
        log.error("{}: storage failed; this replica acknowledges nothing more", dataDirectory, e);
        onFailure.accept(e);
      }
    }
  }

  private void runGroupCommits(ChronicleStorage storage) throws InterruptedException {
    List<PersistRequest> batch = new ArrayList<>();
    while (running) {
      PersistRequest first = queue.take();
      batch.add(first);
      queue.drainTo(batch);
      long started = System.nanoTime();
      for (PersistRequest request : batch) {
        storage.write(request);
      }
      long durable = storage.sync();
      // Writing and syncing one group commit: what an acknowledgement waits for on this disk.
      onSyncNanos.accept(System.nanoTime() - started);
      onDurable.accept(durable);
      batch.clear();
    }
  }

  /** A group commit already reported durable, waiting to be written. */
  private record HeldBack(long dueNanos, List<PersistRequest> batch) {}

  /**
   * The planted bug: each group commit of votes is reported durable as it arrives and written only
   * {@link PlantedStorageBugs#ackBeforeWriteMs} later, so a {@code kill -9} in between loses votes
   * the cell already counted. Snapshot records are written at once, after everything held back, so
   * that files the node reads after a report are really there.
   */
  private void runAckingBeforeWrite(ChronicleStorage storage) throws InterruptedException {
    long delayNanos = TimeUnit.MILLISECONDS.toNanos(planted.ackBeforeWriteMs());
    Deque<HeldBack> heldBack = new ArrayDeque<>();
    while (running) {
      PersistRequest first;
      if (heldBack.isEmpty()) {
        first = queue.take();
      } else {
        long wait = heldBack.peekFirst().dueNanos() - System.nanoTime();
        first = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : null;
      }
      if (first != null) {
        List<PersistRequest> batch = new ArrayList<>();
        batch.add(first);
        queue.drainTo(batch);
        long lastToken = batch.get(batch.size() - 1).token();
        if (batch.stream().allMatch(StorageWorker::onlyVotes)) {
          onDurable.accept(lastToken);
          heldBack.addLast(new HeldBack(System.nanoTime() + delayNanos, batch));
        } else {
          while (!heldBack.isEmpty()) {
            heldBack.pollFirst().batch().forEach(storage::write);
          }
          batch.forEach(storage::write);
          storage.sync();
          onDurable.accept(lastToken);
        }
      }
      boolean wrote = false;
      while (!heldBack.isEmpty() && heldBack.peekFirst().dueNanos() - System.nanoTime() <= 0) {
        heldBack.pollFirst().batch().forEach(storage::write);
        wrote = true;
      }
      if (wrote) {
        storage.sync(); // reported long ago
      }
    }
  }

  private static boolean onlyVotes(PersistRequest request) {
    return request.records().stream()
        .allMatch(
            r ->
                r instanceof StorageRecord.PromiseRecord
                    || r instanceof StorageRecord.BallotRecord
                    || r instanceof StorageRecord.AcceptRecord);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }
}
