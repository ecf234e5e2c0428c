package io.tumbler.bench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessStatsTest {

  @Test
  void readsThisProcesssCpuTimeAndMemory() throws Exception {
    long self = ProcessHandle.current().pid();
    double before = ProcessStats.cpuSeconds(self);
    long spin = System.nanoTime() + 200_000_000L;
    long sink = 0;
    while (System.nanoTime() < spin) {
      sink += System.nanoTime() % 7; // burn CPU so the counter must move
    }
    assertThat(sink).isNotNegative();
    assertThat(ProcessStats.cpuSeconds(self)).isGreaterThan(before);
    assertThat(ProcessStats.rssMiB(self)).isGreaterThan(1.0);
  }
}
