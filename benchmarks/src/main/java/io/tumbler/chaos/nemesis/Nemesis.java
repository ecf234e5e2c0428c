package io.tumbler.chaos.nemesis;

import io.tumbler.chaos.net.ProxiedNetwork.PeerLink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects one fault at a time into a cell on a seeded schedule: a calm spell, a fault, its hold,
 * its heal, and again, until {@link #stop}. Then it heals, resumes and restarts everything, so the
 * cell ends whole whatever happened.
 *
 * <p>Every choice — which kind, whether to aim at the master, which replica, which sides, how long
 * — is drawn from one {@code Random(seed)}, in the same order whatever the cell does, so a seed
 * names the same sequence of decisions. Which replica is master when a fault aims at it, and when
 * exactly things happen, depend on the run; the fault file records what was done.
 */
public final class Nemesis implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Nemesis.class);

  /** Kill-majority: how long the killed majority stays down before it is restarted. */
  static final Duration KILL_MAJORITY_DOWN = Duration.ofSeconds(1);

  private final FaultTarget target;
  private final NemesisSettings settings;
  private final Random random;
  private final FaultLog faults;
  private final List<FaultKind> kinds;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);

  public Nemesis(FaultTarget target, NemesisSettings settings, long seed, FaultLog faults) {
    this.target = target;
    this.settings = settings;
    this.random = new Random(seed);
    this.faults = faults;
    this.kinds = new ArrayList<>(EnumSet.copyOf(settings.kinds())); // enum order: reproducible
  }

  /** Asks the nemesis to heal and finish; returns at once. */
  public void stop() {
    stopRequested.countDown();
  }

  /** Waits until it finished healing; false if that took longer than {@code atMost}. */
  public boolean awaitFinished(Duration atMost) throws InterruptedException {
    return finished.await(atMost.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void run() {
    try {
      int injected = 0;
      while (injected < settings.maxFaults()
          && !rest(draw(settings.quietMin(), settings.quietMax()))) {
        injected++;
        Fault fault = plan();
        long startNs;
        try {
          inject(fault);
        } finally {
          startNs = faults.started(fault);
        }
        boolean stopping = rest(hold(fault));
        heal(fault);
        faults.healed(fault, startNs);
        if (stopping) {
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      log.error("nemesis: a fault failed; healing everything and stopping", e);
    } finally {
      try {
        healEverything();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        finished.countDown();
      }
    }
  }

  /** Waits {@code d}; true if a stop was asked for meanwhile. */
  private boolean rest(Duration d) throws InterruptedException {
    return stopRequested.await(d.toNanos(), TimeUnit.NANOSECONDS);
  }

  private Duration draw(Duration min, Duration max) {
    long span = max.toMillis() - min.toMillis();
    return min.plusMillis(span <= 0 ? 0 : (long) (random.nextDouble() * span));
  }

  private Duration hold(Fault fault) {
    if (fault instanceof Fault.Pause) {
      return draw(settings.pauseMin(), settings.holdMax());
    }
    if (fault instanceof Fault.KillMajority) {
      return KILL_MAJORITY_DOWN;
    }
    return draw(settings.holdMin(), settings.holdMax());
  }

  /**
   * Decides the next fault. Draws the same random numbers whatever the cell's state, so that a seed
   * always makes the same decisions.
   */
  Fault plan() {
    List<Integer> ids = target.replicaIds();
    FaultKind kind = kinds.get(random.nextInt(kinds.size()));
    boolean aimAtMaster = random.nextBoolean();
    int anyReplica = ids.get(random.nextInt(ids.size()));
    int variant = random.nextInt(4);
    List<Integer> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled, random);
    boolean outgoing = random.nextBoolean();
    int clientGroup = random.nextInt(target.clientGroups());
    int master = target.master().orElse(-1);
    int chosen = aimAtMaster && master > 0 ? master : anyReplica;
    boolean isMaster = chosen == master;
    switch (kind) {
      case KILL:
        return new Fault.Kill(chosen, isMaster);
      case PAUSE:
        return new Fault.Pause(chosen, isMaster);
      case PARTITION:
        return partition(
            variant,
            ids,
            shuffled,
            master > 0 ? master : anyReplica,
            chosen,
            outgoing,
            clientGroup);
      case KILL_MAJORITY:
        {
          int first = master > 0 ? master : anyReplica;
          Set<Integer> killed = new LinkedHashSet<>();
          killed.add(first);
          for (int id : shuffled) {
            if (killed.size() < ids.size() / 2 + 1) {
              killed.add(id);
            }
          }
          Set<Integer> frozen = new LinkedHashSet<>(ids);
          frozen.removeAll(killed);
          return new Fault.KillMajority(killed, frozen);
        }
    }
    throw new AssertionError("unhandled fault kind " + kind);
  }

  private static Fault partition(
      int variant,
      List<Integer> ids,
      List<Integer> shuffled,
      int master,
      int chosen,
      boolean outgoing,
      int clientGroup) {
    switch (variant) {
      case 0:
        {
          int minority = ids.size() / 2;
          return new Fault.Partition(
              "minority",
              List.of(
                  Set.copyOf(shuffled.subList(0, minority)),
                  Set.copyOf(shuffled.subList(minority, shuffled.size()))));
        }
      case 1:
        {
          Set<Integer> rest = new LinkedHashSet<>(ids);
          rest.remove(master);
          return new Fault.Partition("isolate-master", List.of(Set.of(master), rest));
        }
      case 2:
        {
          // The master can only send, or only hear: it loses its lease either way, and in the
          // second case the others still hear its heartbeats while it cannot hear them.
          List<PeerLink> cut = new ArrayList<>();
          for (int other : ids) {
            if (other != master) {
              cut.add(outgoing ? new PeerLink(master, other) : new PeerLink(other, master));
            }
          }
          return new Fault.OneWay(outgoing ? "master cannot send" : "master cannot hear", cut);
        }
      case 3:
        return new Fault.ClientsCut(clientGroup, chosen, chosen == master);
      default:
        throw new AssertionError("partition variant " + variant);
    }
  }

  private void inject(Fault fault) throws Exception {
    if (fault instanceof Fault.Kill k) {
      target.kill9(k.replica());
    } else if (fault instanceof Fault.Pause p) {
      target.pause(p.replica());
    } else if (fault instanceof Fault.Partition p) {
      target.partition(p.sides());
    } else if (fault instanceof Fault.OneWay o) {
      for (PeerLink link : o.cut()) {
        target.cut(link.from(), link.to());
      }
    } else if (fault instanceof Fault.ClientsCut c) {
      target.cutClients(c.group(), c.replica());
    } else if (fault instanceof Fault.KillMajority m) {
      // Freeze the minority first: it must not persist anything the killed majority loses, and
      // must not help elect a master, until the majority has come back on its own.
      for (int id : m.frozen()) {
        target.pause(id);
      }
      for (int id : m.killed()) {
        target.kill9(id);
      }
    } else {
      throw new AssertionError("unhandled fault " + fault);
    }
  }

  private void heal(Fault fault) throws Exception {
    if (fault instanceof Fault.Kill k) {
      target.restart(k.replica());
    } else if (fault instanceof Fault.Pause p) {
      target.resume(p.replica());
    } else if (fault instanceof Fault.Partition
        || fault instanceof Fault.OneWay
        || fault instanceof Fault.ClientsCut) {
      target.healNetwork();
    } else if (fault instanceof Fault.KillMajority m) {
      for (int id : m.killed()) {
        target.restart(id);
      }
      if (target.awaitServingMaster(settings.masterDeadline()).isEmpty()) {
        log.warn("nemesis: the restarted majority {} elected no master in time", m.killed());
      }
      for (int id : m.frozen()) {
        target.resume(id);
      }
    } else {
      throw new AssertionError("unhandled fault " + fault);
    }
  }

  /** Heals every link, thaws every frozen replica and restarts every dead one. */
  private void healEverything() throws InterruptedException {
    target.healNetwork();
    for (int id : target.replicaIds()) {
      try {
        if (target.paused(id)) {
          target.resume(id);
        }
        if (!target.running(id)) {
          target.restart(id);
        }
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        log.error("nemesis: cannot bring replica {} back", id, e);
      }
    }
  }
}
