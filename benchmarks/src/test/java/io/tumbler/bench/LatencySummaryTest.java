package io.tumbler.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

  @Test
  void reportsThroughputAndPercentilesInMicroseconds() {
    Histogram latencies = LatencySummary.newHistogram();
    for (int micros = 1; micros <= 1000; micros++) {
      latencies.recordValue(TimeUnit.MICROSECONDS.toNanos(micros));
    }

    LatencySummary summary = LatencySummary.of(latencies, 3, TimeUnit.SECONDS.toNanos(2));

    assertThat(summary.operations()).isEqualTo(1000);
    assertThat(summary.errors()).isEqualTo(3);
    assertThat(summary.opsPerSecond()).isEqualTo(500.0);
    // HdrHistogram keeps 3 significant digits, so allow 0.1% of the value.
    assertThat(summary.p50Micros()).isCloseTo(500, within(0.5));
    assertThat(summary.p99Micros()).isCloseTo(990, within(1.0));
    assertThat(summary.p999Micros()).isCloseTo(999, within(1.0));
    assertThat(summary.maxMicros()).isCloseTo(1000, within(1.0));
  }

  @Test
  void anEmptyRunHasZeroThroughput() {
    LatencySummary summary = LatencySummary.of(LatencySummary.newHistogram(), 0, 1);

    assertThat(summary.operations()).isZero();
    assertThat(summary.opsPerSecond()).isZero();
  }

  @Test
  void refusesANonPositiveElapsedTime() {
    assertThatThrownBy(() -> LatencySummary.of(LatencySummary.newHistogram(), 0, 0))
        .hasMessageContaining("elapsed time must be > 0");
  }
}
