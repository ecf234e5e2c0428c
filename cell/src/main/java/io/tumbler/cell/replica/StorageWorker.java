package io.tumbler.cell.replica;

import io.tumbler.paxos.durable.ChronicleStorage;
import io.tumbler.paxos.durable.LogOptions;
import io.tumbler.paxos.storage.PersistRequest;
import io.tumbler.paxos.storage.PersistentState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
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
 */
final class StorageWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StorageWorker.class);

  private final Path dataDirectory;
  private final LogOptions options;
  private final LongConsumer onDurable;
  private final Consumer<Throwable> onFailure;
  private final LongConsumer onSyncNanos;
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
      LongConsumer onSyncNanos) {
    this.dataDirectory = dataDirectory;
    this.options = options;
    this.onDurable = onDurable;
    this.onFailure = onFailure;
    this.onSyncNanos = onSyncNanos;
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
    List<PersistRequest> batch = new ArrayList<>();
    try (storage) {
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
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      if (running) {
        log.error("{}: storage failed; this replica acknowledges nothing more", dataDirectory, e);
        onFailure.accept(e);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }
}
