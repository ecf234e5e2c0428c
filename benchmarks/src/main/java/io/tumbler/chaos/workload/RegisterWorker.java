package io.tumbler.chaos.workload;

import io.tumbler.chaos.history.Operation;
import io.tumbler.client.Handle;
import io.tumbler.client.NodeContents;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException.GenerationMismatchException;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Stat;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client treating the workload's files as registers: reads ({@code getContentsAndStat}: value
 * and content generation, from the cache when it may), writes ({@code setContents}) and
 * compare-and-swaps ({@code setContents} with the generation it last saw), each recorded as an
 * invoke and its completion. Values are unique ({@code p<process>-<n>}) so the checker can tell
 * every write apart.
 */
final class RegisterWorker implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(RegisterWorker.class);

  /** Out of ten operations: reads, then writes, the rest compare-and-swaps. */
  static final int READS_IN_TEN = 4;

  static final int WRITES_IN_TEN = 3;

  private final WorkerContext context;
  private final int group;
  private final Random random;
  private final Map<Integer, Long> lastGeneration = new HashMap<>();
  private TumblerClient client;
  private final Map<Integer, Handle> handles = new HashMap<>();
  private int process = -1;
  private long written;

  RegisterWorker(WorkerContext context, int group, Random random) {
    this.context = context;
    this.group = group;
    this.random = random;
  }

  @Override
  public void run() {
    try {
      while (!context.stopping()) {
        if (client == null && !connect()) {
          break;
        }
        step();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Clients.closeQuietly(client);
    }
  }

  /** A new session with a handle on every key; false if the run stopped first. */
  private boolean connect() throws InterruptedException {
    while (!context.stopping()) {
      client = context.clients.open(group, context::stopping);
      if (client == null) {
        return false;
      }
      try {
        for (int key = 0; key < context.settings.registerKeys(); key++) {
          handles.put(
              key,
              client
                  .openAsync(context.registerPath(key), OpenOptions.readWrite())
                  .get(context.settings.opTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
        process = context.processIds.next();
        return true;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        log.debug("opening the registers failed: {}", e.toString());
        dropClient();
      }
    }
    return false;
  }

  private void dropClient() {
    Clients.closeQuietly(client);
    client = null;
    handles.clear();
  }

  private void step() throws InterruptedException {
    int key = random.nextInt(context.settings.registerKeys());
    int dice = random.nextInt(10);
    Handle handle = handles.get(key);
    String path = context.registerPath(key);
    Operation invoked;
    if (dice < READS_IN_TEN) {
      invoked = Operation.read(path);
    } else if (dice < READS_IN_TEN + WRITES_IN_TEN) {
      invoked = Operation.write(path, nextValue());
    } else {
      invoked = Operation.cas(path, lastGeneration.getOrDefault(key, 0L), nextValue());
    }
    context.recorder.invoke(process, invoked);
    long hitsBefore = client.cacheStats().hits();
    try {
      Operation completed = perform(key, handle, invoked);
      boolean fromCache = client.cacheStats().hits() > hitsBefore; // this thread's own client
      long index = context.ok(process, completed);
      if (fromCache) {
        context.cachedReads.add(index);
      }
    } catch (InterruptedException e) {
      context.recorder.info(process, invoked, "interrupted");
      throw e;
    } catch (Exception e) {
      boolean indeterminate = context.failed(process, invoked, e);
      if (Outcome.sessionLost(e)) {
        dropClient();
      } else if (indeterminate) {
        process = context.processIds.next();
      }
    }
  }

  private String nextValue() {
    return "p" + process + "-" + ++written;
  }

  /** Does the call and returns its completion; throws what the call threw. */
  private Operation perform(int key, Handle handle, Operation invoked) throws Exception {
    long timeoutMs = context.settings.opTimeout().toMillis();
    if (invoked instanceof Operation.Read r) {
      NodeContents c = handle.getContentsAndStatAsync().get(timeoutMs, TimeUnit.MILLISECONDS);
      long generation = c.stat().contentGeneration();
      lastGeneration.put(key, generation);
      return r.returned(c.contents().size() == 0 ? null : c.text(), generation);
    }
    if (invoked instanceof Operation.Write w) {
      Stat stat =
          handle.setContentsAsync(ByteString.utf8(w.value())).get(timeoutMs, TimeUnit.MILLISECONDS);
      lastGeneration.put(key, stat.contentGeneration());
      return w.produced(stat.contentGeneration());
    }
    if (invoked instanceof Operation.Cas c) {
      try {
        Stat stat =
            handle
                .setContentsAsync(ByteString.utf8(c.value()), c.expectedGeneration())
                .get(timeoutMs, TimeUnit.MILLISECONDS);
        lastGeneration.put(key, stat.contentGeneration());
        return c.swapped(stat.contentGeneration());
      } catch (java.util.concurrent.ExecutionException e) {
        if (Outcome.unwrap(e) instanceof GenerationMismatchException) {
          return c.mismatched(null); // applied, and found another generation
        }
        throw e;
      }
    }
    throw new AssertionError("not a register operation: " + invoked);
  }
}
