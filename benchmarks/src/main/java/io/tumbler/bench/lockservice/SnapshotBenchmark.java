package io.tumbler.bench.lockservice;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Snapshot and restore of a tree of {@code files} files of 100 bytes (in directories of 1000): what
 * a lagging replica's catch-up and a restart cost. MB/s = the printed snapshot size / the time per
 * operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class SnapshotBenchmark {

  @Param("100000")
  public int files;

  private LockServiceStateMachine machine;
  private byte[] snapshot;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @Setup(Level.Trial)
  public void build() throws IOException {
    machine = LockServiceStateMachine.openCell("bench");
    long index = 0;
    long session =
        ((Result.SessionCreated)
                machine.apply(++index, new Command.CreateSession(0, "bench")).result())
            .session();
    long number = 0;
    ByteString contents = ByteString.wrap(new byte[100]);
    Set<EventKind> none = EnumSet.noneOf(EventKind.class);
    for (int i = 0; i < files; i++) {
      String dir = "/ls/bench/d" + (i / 1000);
      CreateOptions create =
          i % 1000 == 0 ? CreateOptions.directory(false) : CreateOptions.file(false, contents);
      String path = i % 1000 == 0 ? dir : dir + "/f" + i;
      Request open = new Request.Open(path, Set.of(), none, 0, create);
      number++;
      Result r =
          machine
              .apply(++index, new Command.ClientRequest(0, session, number, number - 1, open))
              .result();
      long handle = ((Result.Opened) r).handle();
      number++;
      machine.apply(
          ++index,
          new Command.ClientRequest(0, session, number, number - 1, new Request.Close(handle)));
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    machine.snapshot(bytes);
    snapshot = bytes.toByteArray();
    System.out.printf("%nsnapshot of %d nodes: %d bytes%n", files, snapshot.length);
  }

  @Benchmark
  public int snapshot() throws IOException {
    out.reset();
    machine.snapshot(out);
    return out.size();
  }

  @Benchmark
  public long restore() throws IOException {
    LockServiceStateMachine target = LockServiceStateMachine.openCell("bench");
    target.restore(new ByteArrayInputStream(snapshot));
    return target.lastAppliedIndex();
  }
}
