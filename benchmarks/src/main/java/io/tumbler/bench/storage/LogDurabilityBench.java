package io.tumbler.bench.storage;

import io.tumbler.bench.LatencySummary;
import io.tumbler.paxos.durable.ChronicleLog;
import io.tumbler.paxos.durable.LogOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast records become durable in the Chronicle log under group commit: N proposer threads each
 * append a record and wait until it is durable, in a closed loop; one storage thread owns the log,
 * drains every pending record, appends them, syncs once and completes them all. Also measures a raw
 * {@code FileChannel.force} on the same disk in the same run, the floor for one durable write.
 */
@Command(
    name = "log-durability",
    mixinStandardHelpOptions = true,
    description = "Durable records/s and latency of the Chronicle log under group commit.")
public final class LogDurabilityBench implements Callable<Integer> {

  @Option(
      names = "--proposers",
      split = ",",
      defaultValue = "1,16,128",
      description = "Concurrent proposers, one run each (default: ${DEFAULT-VALUE}).")
  List<Integer> proposerCounts;

  @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per run.")
  int seconds;

  @Option(names = "--warmup-seconds", defaultValue = "2", description = "Warm-up per run.")
  int warmupSeconds;

  @Option(names = "--record-bytes", defaultValue = "100", description = "Payload size.")
  int recordBytes;

  @Option(
      names = "--dir",
      description = "Where to write (default: a temporary directory on the working disk).")
  Path dir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new LogDurabilityBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path root = dir != null ? dir : Files.createTempDirectory(Path.of("."), "log-durability-");
    try {
      LatencySummary force = measureRawForce(root.resolve("force.dat"), 2000);
      System.out.printf(
          Locale.ROOT,
          "raw FileChannel.force(false) of %d bytes: p50 %.0f us, p99 %.0f us%n",
          recordBytes,
          force.p50Micros(),
          force.p99Micros());
      for (int proposers : proposerCounts) {
        LatencySummary run = measureLog(root.resolve("log-" + proposers), proposers);
        System.out.printf(
            Locale.ROOT,
            "proposers=%d: %.0f durable records/s, p50 %.0f us, p99 %.0f us, p999 %.0f us"
                + " (%.2fx raw force at p50)%n",
            proposers,
            run.opsPerSecond(),
            run.p50Micros(),
            run.p99Micros(),
            run.p999Micros(),
            run.p50Micros() / force.p50Micros());
      }
    } finally {
      deleteRecursively(root);
    }
    return 0;
  }

  private LatencySummary measureRawForce(Path file, int writes) throws IOException {
    Histogram latencies = LatencySummary.newHistogram();
    ByteBuffer record = ByteBuffer.allocate(recordBytes);
    long start = System.nanoTime();
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      for (int i = 0; i < writes; i++) {
        long begin = System.nanoTime();
        record.clear();
        channel.write(record);
        channel.force(false);
        latencies.recordValue(System.nanoTime() - begin);
      }
    }
    return LatencySummary.of(latencies, 0, System.nanoTime() - start);
  }

  private record Pending(byte[] payload, long submittedNanos, CompletableFuture<Void> durable) {}

  private LatencySummary measureLog(Path logDir, int proposers) throws Exception {
    BlockingQueue<Pending> submitted = new ArrayBlockingQueue<>(proposers * 2);
    Histogram latencies = LatencySummary.newHistogram();
    long[] measured = new long[2]; // [0] measuring since (nanos), [1] stop at (nanos)
    long now = System.nanoTime();
    measured[0] = now + TimeUnit.SECONDS.toNanos(warmupSeconds);
    measured[1] = measured[0] + TimeUnit.SECONDS.toNanos(seconds);
    Thread storage =
        new Thread(() -> runStorage(logDir, submitted, latencies, measured), "storage");
    storage.start();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < proposers; p++) {
      Thread proposer =
          new Thread(
              () -> {
                byte[] payload = new byte[recordBytes];
                try {
                  while (System.nanoTime() < measured[1]) {
                    CompletableFuture<Void> durable = new CompletableFuture<>();
                    submitted.put(new Pending(payload, System.nanoTime(), durable));
                    durable.get();
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "proposer-" + p);
      proposer.start();
      threads.add(proposer);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    storage.interrupt();
    storage.join();
    return LatencySummary.of(latencies, 0, measured[1] - measured[0]);
  }

  /** The storage thread: owns the log; one sync per batch of whatever is pending. */
  private void runStorage(
      Path logDir, BlockingQueue<Pending> submitted, Histogram latencies, long[] measured) {
    List<Pending> batch = new ArrayList<>();
    try (ChronicleLog log = ChronicleLog.open(logDir, LogOptions.DEFAULTS, List::of, r -> {})) {
      while (true) {
        batch.add(submitted.take());
        submitted.drainTo(batch);
        for (Pending pending : batch) {
          log.append(0, pending.payload());
        }
        log.sync();
        long done = System.nanoTime();
        for (Pending pending : batch) {
          if (pending.submittedNanos() >= measured[0] && done <= measured[1]) {
            latencies.recordValue(done - pending.submittedNanos());
          }
          pending.durable().complete(null);
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
