package io.tumbler.chaos.workload;

import io.tumbler.chaos.fencing.FencedResource;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.HistoryRecorder;
import io.tumbler.client.Handle;
import io.tumbler.client.NodeContents;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The clients of a chaos run: register workers and lock workers, each a thread with its own
 * session, spread over the client groups, all recording into one history. Also sets up the files
 * before the run and reads them back after it for the durability check.
 */
public final class Workload {

  private static final Logger log = LoggerFactory.getLogger(Workload.class);

  /** Gaps in service shorter than this are latency, not a failover. */
  static final long GAP_THRESHOLD_MS = 1_000;

  static final long RETRY_MS = 500;

  private final WorkloadSettings settings;
  private final WorkerContext context;
  private final List<FencedResource> resources = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Random random;

  /**
   * @param connectStrings per client group, the replicas' proxy addresses
   * @param cellName the cell's name, for paths {@code /ls/<cell>/chaos/...}
   * @param seed where every worker's random choices come from
   */
  public Workload(
      WorkloadSettings settings,
      HistoryRecorder recorder,
      List<String> connectStrings,
      String cellName,
      long seed) {
    this.settings = settings;
    this.random = new Random(seed);
    this.context =
        new WorkerContext(
            recorder,
            new ProcessIds(),
            new FailoverGaps(GAP_THRESHOLD_MS),
            new Clients(connectStrings, settings.gracePeriod(), settings.cacheEntries()),
            settings,
            "/ls/" + cellName + "/chaos");
    for (int lock = 0; lock < settings.locks(); lock++) {
      resources.add(new FencedResource("resource" + lock));
    }
  }

  /** The files the register workers use. */
  public List<String> registerPaths() {
    List<String> paths = new ArrayList<>();
    for (int key = 0; key < settings.registerKeys(); key++) {
      paths.add(context.registerPath(key));
    }
    return paths;
  }

  public List<FencedResource> resources() {
    return List.copyOf(resources);
  }

  /** Indices of the ok events of reads the clients' caches answered, in no particular order. */
  public List<Long> cachedReads() {
    return List.copyOf(context.cachedReads);
  }

  public FailoverGaps gaps() {
    return context.gaps;
  }

  /** History processes used so far (a new one per session and after each indeterminate call). */
  public int processes() {
    return context.processIds.count();
  }

  /**
   * Creates the workload's directory, files and lock files, empty, before any fault.
   *
   * @throws IllegalStateException if the cell did not let that happen within {@code atMost}
   */
  public void setUp(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      TumblerClient client = null;
      try {
        client = context.clients.open(0, () -> System.nanoTime() - deadline > 0);
        if (client == null) {
          throw new IllegalStateException("could not set up the workload's files in " + atMost);
        }
        create(client, context.directory, OpenOptions.read().directory().createIfAbsent());
        for (String path : registerPaths()) {
          create(client, path, OpenOptions.readWrite().createIfAbsent());
        }
        for (int lock = 0; lock < settings.locks(); lock++) {
          create(client, context.lockPath(lock), OpenOptions.readWrite().createIfAbsent());
        }
        return;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("could not set up the workload's files", e);
        }
        log.debug("setting up failed, trying again: {}", e.toString());
        Thread.sleep(RETRY_MS);
      } finally {
        Clients.closeQuietly(client);
      }
    }
  }

  private void create(TumblerClient client, String path, OpenOptions options) throws Exception {
    client
        .openAsync(path, options)
        .get(settings.opTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .close();
  }

  /** Starts every worker. */
  public void start() {
    context.gaps.start(System.nanoTime());
    int groups = context.clients.groups();
    int worker = 0;
    for (int i = 0; i < settings.registerClients(); i++, worker++) {
      startThread(
          "chaos-register-" + i,
          new RegisterWorker(context, worker % groups, new Random(random.nextLong())));
    }
    for (int i = 0; i < settings.lockClients(); i++, worker++) {
      startThread(
          "chaos-lock-" + i,
          new LockWorker(context, worker % groups, new Random(random.nextLong()), resources));
    }
  }

  private void startThread(String name, Runnable worker) {
    Thread t = new Thread(worker, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  /**
   * Lets every worker finish the call it is in (each bounded by the op timeout) and stop.
   *
   * @return false if some worker was still running after {@code atMost}; it was interrupted
   */
  public boolean stop(Duration atMost) throws InterruptedException {
    context.stop();
    long deadline = System.nanoTime() + atMost.toNanos();
    boolean all = true;
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      if (t.isAlive()) {
        log.warn("worker {} did not stop in time; interrupting it", t.getName());
        t.interrupt();
        all = false;
      }
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(10));
    }
    return all;
  }

  /**
   * Reads every register file with a fresh session, retrying until {@code atMost}: the final state
   * the durability checker compares with the acknowledged writes.
   *
   * @throws IllegalStateException if some file could not be read in time
   */
  public List<FinalValue> readFinalState(Duration atMost) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (true) {
      TumblerClient client = null;
      try {
        client = context.clients.open(0, () -> System.nanoTime() - deadline > 0);
        if (client == null) {
          break;
        }
        List<FinalValue> values = new ArrayList<>();
        for (String path : registerPaths()) {
          try (Handle h =
              client
                  .openAsync(path, OpenOptions.read())
                  .get(settings.opTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
            NodeContents c =
                h.getContentsAndStatAsync()
                    .get(settings.opTimeout().toMillis(), TimeUnit.MILLISECONDS);
            values.add(
                new FinalValue(
                    path,
                    c.contents().size() == 0 ? null : c.text(),
                    c.stat().contentGeneration()));
          }
        }
        return values;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("could not read the final state", e);
        }
        log.debug("reading the final state failed, trying again: {}", e.toString());
        Thread.sleep(RETRY_MS);
      } finally {
        Clients.closeQuietly(client);
      }
    }
    throw new IllegalStateException("no session to read the final state within " + atMost);
  }
}
