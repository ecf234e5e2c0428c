package io.tumbler.chaos.workload;

import io.tumbler.chaos.fencing.FencedResource;
import io.tumbler.chaos.fencing.ResourceDecision;
import io.tumbler.chaos.history.Operation;
import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client using a lock the way CHUBBY.md tells applications to: acquire it exclusively, take its
 * sequencer, and present that sequencer with every write to the resource the lock protects (a
 * {@link FencedResource}, which refuses stale sequencers); then release. Sometimes it stalls inside
 * its critical section, as a long GC pause would, so that when the nemesis cuts its group off the
 * master its session expires, someone else takes the lock, and its late writes must be refused.
 *
 * <p>After an acquire or release whose outcome is unknown the session is ended and a new one opened
 * (a new process): the old session might hold the lock, and ending it frees the lock at once.
 */
final class LockWorker implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(LockWorker.class);

  /**
   * Most fenced writes per critical section (at least one). Long critical sections, whose writes go
   * on without asking the cell (the resource is local), are what a cut-off holder keeps doing while
   * its session expires and someone else takes the lock.
   */
  static final int WRITES_PER_HOLD_MAX = 8;

  /** Longest ordinary pause between two writes of a critical section. */
  static final int WRITE_PAUSE_MAX_MS = 200;

  /** Pause between releasing and asking again, so that others get a turn. */
  static final int BETWEEN_HOLDS_MAX_MS = 100;

  private final WorkerContext context;
  private final int group;
  private final Random random;
  private final List<FencedResource> resources;
  private TumblerClient client;
  private Handle handle;
  private int lock = -1;
  private int process = -1;
  private long written;

  /**
   * @param resources the resource each lock protects, by lock number
   */
  LockWorker(WorkerContext context, int group, Random random, List<FencedResource> resources) {
    this.context = context;
    this.group = group;
    this.random = random;
    this.resources = resources;
  }

  @Override
  public void run() {
    try {
      while (!context.stopping()) {
        if (client == null && !connect()) {
          break;
        }
        hold();
        Thread.sleep(random.nextInt(BETWEEN_HOLDS_MAX_MS));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Clients.closeQuietly(client);
    }
  }

  /** A new session with a lock handle on one of the locks; false if the run stopped first. */
  private boolean connect() throws InterruptedException {
    while (!context.stopping()) {
      client = context.clients.open(group, context::stopping);
      if (client == null) {
        return false;
      }
      lock = random.nextInt(context.settings.locks());
      try {
        handle =
            client
                .openAsync(
                    context.lockPath(lock),
                    OpenOptions.lock().lockDelay(context.settings.lockDelay()))
                .get(context.settings.opTimeout().toMillis(), TimeUnit.MILLISECONDS);
        process = context.processIds.next();
        return true;
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        log.debug("opening lock {} failed: {}", lock, e.toString());
        dropClient();
      }
    }
    return false;
  }

  private void dropClient() {
    Clients.closeQuietly(client);
    client = null;
    handle = null;
  }

  /** One acquire, critical section and release; drops the session when an outcome is unknown. */
  private void hold() throws InterruptedException {
    long timeoutMs = context.settings.opTimeout().toMillis();
    String lockPath = context.lockPath(lock);
    Operation.Acquire acquire = Operation.acquire(lockPath);
    context.recorder.invoke(process, acquire);
    Sequencer sequencer;
    try {
      handle.acquireAsync(LockMode.EXCLUSIVE).get(timeoutMs, TimeUnit.MILLISECONDS);
      ByteString bytes = handle.getSequencerAsync().get(timeoutMs, TimeUnit.MILLISECONDS);
      sequencer =
          Sequencer.decode(bytes)
              .orElseThrow(() -> new IllegalStateException("undecodable sequencer " + bytes));
      context.ok(process, acquire.granted(sequencer));
    } catch (InterruptedException e) {
      context.recorder.info(process, acquire, "interrupted");
      throw e;
    } catch (Exception e) {
      context.failed(process, acquire, e);
      dropClient(); // it may hold the lock, or be queued for it: end the session
      return;
    }
    FencedResource resource = resources.get(lock);
    int writes = 1 + random.nextInt(WRITES_PER_HOLD_MAX);
    for (int i = 0; i < writes && !context.stopping(); i++) {
      stall();
      String value = "p" + process + "-" + ++written;
      Operation.FencedWrite write = Operation.fencedWrite(resource.name(), sequencer, value);
      context.recorder.invoke(process, write);
      ResourceDecision d = resource.write(process, sequencer, value);
      if (d.accepted()) {
        context.ok(process, write.decided(d.order()));
      } else {
        context.recorder.fail(process, write.decided(d.order()), "stale sequencer");
        break; // the lock has moved on; this holder learns it the way a real one would
      }
    }
    Operation.Release release = Operation.release(lockPath);
    context.recorder.invoke(process, release);
    try {
      handle.releaseAsync().get(timeoutMs, TimeUnit.MILLISECONDS);
      context.ok(process, release);
    } catch (InterruptedException e) {
      context.recorder.info(process, release, "interrupted");
      throw e;
    } catch (Exception e) {
      context.failed(process, release, e);
      dropClient();
    }
  }

  /** Usually a short pause between writes; now and then a long stall. */
  private void stall() throws InterruptedException {
    if (random.nextDouble() < context.settings.stallChance()) {
      Thread.sleep(1 + (long) (random.nextDouble() * context.settings.stallMax().toMillis()));
    } else {
      Thread.sleep(random.nextInt(WRITE_PAUSE_MAX_MS) + 1);
    }
  }
}
