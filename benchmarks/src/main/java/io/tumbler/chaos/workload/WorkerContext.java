package io.tumbler.chaos.workload;

import io.tumbler.chaos.history.Event;
import io.tumbler.chaos.history.HistoryRecorder;
import io.tumbler.chaos.history.Operation;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/** What every worker of a run shares: the recorder, process ids, the gap tracker, the stop flag. */
final class WorkerContext {

  final HistoryRecorder recorder;
  final ProcessIds processIds;
  final FailoverGaps gaps;
  final Clients clients;
  final WorkloadSettings settings;
  final String directory;
  private final AtomicBoolean stopping = new AtomicBoolean();

  /** Indices of the ok events of reads the client's cache answered: for diagnosing anomalies. */
  final Queue<Long> cachedReads = new ConcurrentLinkedQueue<>();

  /**
   * @param directory the workload's directory, {@code /ls/<cell>/chaos}
   */
  WorkerContext(
      HistoryRecorder recorder,
      ProcessIds processIds,
      FailoverGaps gaps,
      Clients clients,
      WorkloadSettings settings,
      String directory) {
    this.recorder = recorder;
    this.processIds = processIds;
    this.gaps = gaps;
    this.clients = clients;
    this.settings = settings;
    this.directory = directory;
  }

  boolean stopping() {
    return stopping.get();
  }

  void stop() {
    stopping.set(true);
  }

  /** Records an ok completion and counts it as the cell serving; returns its index. */
  long ok(int process, Operation completed) {
    Event e = recorder.ok(process, completed);
    gaps.ok(e.timeNs());
    return e.index();
  }

  /**
   * Records a failed call as fail or info ({@link Outcome}).
   *
   * @return true if it was indeterminate: the process must not be used again
   */
  boolean failed(int process, Operation invoked, Throwable failure) {
    Outcome o = Outcome.of(failure);
    if (o.definite()) {
      recorder.fail(process, invoked, o.error());
      return false;
    }
    recorder.info(process, invoked, o.error());
    return true;
  }

  String registerPath(int key) {
    return directory + "/r" + key;
  }

  String lockPath(int lock) {
    return directory + "/lock" + lock;
  }
}
