package io.tumbler.chaos.history;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * Records a history as it happens: client threads call {@link #invoke} before sending an operation
 * and {@link #ok}, {@link #fail} or {@link #info} once they know how it ended. Each event gets the
 * next index and the clock's time under one lock, so index order is real-time order: an event
 * recorded after another really happened after it. Each line is flushed to the operating system as
 * it is written, so a harness killed mid-run leaves every event it recorded (at most a torn last
 * line); it is not fsynced, which a test harness does not need.
 *
 * <p>The recorder refuses events that break the protocol (a completion of an operation the process
 * never invoked, a second invoke while one is outstanding): a harness bug surfaces where it is
 * made, not in a checker later. After a failed write every call fails, so that a history with a
 * hole is never taken for a whole one.
 */
public final class HistoryRecorder implements AutoCloseable {

  private final Writer out;
  private final LongSupplier clockNs;
  private final HistoryJson json = new HistoryJson();
  private final ProcessTable processes = new ProcessTable();
  private long nextIndex;
  private long lastTimeNs = Long.MIN_VALUE;
  private IOException failure;
  private boolean closed;

  /**
   * A recorder writing to {@code out}.
   *
   * @param clockNs a monotonic clock in nanoseconds ({@code System::nanoTime} in a harness; a
   *     counter in tests)
   */
  public HistoryRecorder(Writer out, LongSupplier clockNs) {
    checkArgument(out != null && clockNs != null, "out and clockNs must be set");
    this.out = out instanceof BufferedWriter ? out : new BufferedWriter(out);
    this.clockNs = clockNs;
  }

  /** A recorder writing a new file; refuses to overwrite one. */
  public static HistoryRecorder create(Path file, LongSupplier clockNs) throws IOException {
    return new HistoryRecorder(
        Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW),
        clockNs);
  }

  /** {@code process} is about to send {@code op} (its arguments only). */
  public Event invoke(int process, Operation op) {
    return record(process, EventType.INVOKE, op, null);
  }

  /** {@code process}'s operation took effect; {@code completed} carries its results. */
  public Event ok(int process, Operation completed) {
    return record(process, EventType.OK, completed, null);
  }

  /**
   * {@code process}'s operation certainly did not take effect.
   *
   * @param op the operation as invoked (a rejected fenced write: as decided)
   * @param error why, or {@code null}
   */
  public Event fail(int process, Operation op, String error) {
    return record(process, EventType.FAIL, op, error);
  }

  /**
   * {@code process} does not know whether its operation took effect.
   *
   * @param op the operation as invoked
   * @param error why (a timeout, a lost connection), or {@code null}
   */
  public Event info(int process, Operation op, String error) {
    return record(process, EventType.INFO, op, error);
  }

  private synchronized Event record(int process, EventType type, Operation op, String error) {
    checkState(!closed, "the recorder is closed");
    if (failure != null) {
      throw new UncheckedIOException("an earlier event could not be written", failure);
    }
    long timeNs = clockNs.getAsLong();
    checkState(
        timeNs >= lastTimeNs,
        "the clock went back from %s to %s: give the recorder a monotonic clock",
        lastTimeNs,
        timeNs);
    Event e = new Event(nextIndex, timeNs, process, type, op, error);
    if (type == EventType.INVOKE) {
      processes.invoke(e);
    } else {
      processes.complete(e);
    }
    try {
      out.write(json.toLine(e));
      out.write('\n');
      out.flush();
    } catch (IOException ex) {
      failure = ex;
      throw new UncheckedIOException("cannot write event " + e, ex);
    }
    nextIndex++;
    lastTimeNs = timeNs;
    return e;
  }

  /** Flushes and closes the file. Operations still outstanding stay indeterminate in it. */
  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      out.close();
    }
  }
}
