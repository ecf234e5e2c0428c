package io.tumbler.bench;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What a benchmark run reports for one operation: how many completed, how fast, and the latency
 * percentiles users compare coordination services by.
 *
 * @param operations operations that completed successfully
 * @param errors operations that failed
 * @param opsPerSecond successful operations per second of measured time
 * @param p50Micros median latency
 * @param p99Micros 99th percentile latency
 * @param p999Micros 99.9th percentile latency
 * @param maxMicros the slowest operation
 */
public record LatencySummary(
    long operations,
    long errors,
    double opsPerSecond,
    double p50Micros,
    double p99Micros,
    double p999Micros,
    double maxMicros) {

  /** Latencies are recorded in nanoseconds with 3 significant digits, up to this bound. */
  public static final long MAX_TRACKED_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(2);

  /** A histogram suited to {@link #of}: nanosecond values, 3 significant digits. */
  public static Histogram newHistogram() {
    return new Histogram(MAX_TRACKED_LATENCY_NANOS, 3);
  }

  /**
   * Summarizes a histogram of nanosecond latencies measured over {@code elapsedNanos}.
   *
   * <p>Values above {@link #MAX_TRACKED_LATENCY_NANOS} must be clamped by the recorder; an HDR
   * histogram refuses them.
   */
  public static LatencySummary of(Histogram latencyNanos, long errors, long elapsedNanos) {
    checkArgument(elapsedNanos > 0, "elapsed time must be > 0, was %s ns", elapsedNanos);
    checkArgument(errors >= 0, "errors must be >= 0, was %s", errors);
    long operations = latencyNanos.getTotalCount();
    double seconds = elapsedNanos / 1e9;
    return new LatencySummary(
        operations,
        errors,
        operations / seconds,
        micros(latencyNanos, 50.0),
        micros(latencyNanos, 99.0),
        micros(latencyNanos, 99.9),
        latencyNanos.getMaxValue() / 1e3);
  }

  private static double micros(Histogram latencyNanos, double percentile) {
    return latencyNanos.getValueAtPercentile(percentile) / 1e3;
  }
}
