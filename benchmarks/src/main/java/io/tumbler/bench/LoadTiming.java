package io.tumbler.bench;

import java.util.List;
import picocli.CommandLine.Option;

/**
 * How long a closed-loop load tool runs: a picocli mixin, so every tool takes the same {@code
 * --seconds} and {@code --warmup-seconds} and runs its workers through {@link LoadLoop}.
 */
public final class LoadTiming {

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds.")
  int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "3", description = "Unmeasured warm-up.")
  int warmupSeconds;

  public LatencySummary run(List<LoadLoop.Operation> workers) throws InterruptedException {
    return LoadLoop.run(workers, warmupSeconds, seconds);
  }
}
