package io.tumbler.bench.lockservice;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Commands one replica's apply loop can take per second on one thread: the ceiling the state
 * machine puts on a cell's write throughput, before Paxos and the network.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StateMachineApplyBenchmark {

  private LockServiceStateMachine machine;
  private long index;
  private long requestNumber;
  private long session;
  private long handle;
  private final ByteString contents100 = ByteString.wrap(new byte[100]);

  @Setup(Level.Iteration)
  public void setUp() {
    machine = LockServiceStateMachine.openCell("bench");
    index = 0;
    requestNumber = 0;
    session =
        ((Result.SessionCreated)
                machine.apply(++index, new Command.CreateSession(0, "bench")).result())
            .session();
    Result opened =
        call(
            new Request.Open(
                "/ls/bench/file",
                EnumSet.allOf(Permission.class),
                EnumSet.noneOf(EventKind.class),
                0,
                CreateOptions.file(false, ByteString.EMPTY)));
    handle = ((Result.Opened) opened).handle();
  }

  private Result call(Request request) {
    long number = ++requestNumber;
    return machine
        .apply(++index, new Command.ClientRequest(index, session, number, number - 1, request))
        .result();
  }

  @Benchmark
  public Result setContents100Bytes() {
    return call(new Request.SetContents(handle, contents100, -1));
  }

  /** Two commands per invocation: an uncontended lock taken and released. */
  @Benchmark
  public Result acquireThenRelease() {
    call(new Request.Acquire(handle, LockMode.EXCLUSIVE));
    return call(new Request.Release(handle));
  }

  /** GetStat through the log, as a replica applies it. */
  @Benchmark
  public Result getStatApplied() {
    return call(new Request.GetStat(handle));
  }

  /** GetStat answered from memory, as a master with a valid lease serves reads. */
  @Benchmark
  public Result getStatRead() {
    return machine.read(session, new Request.GetStat(handle));
  }
}
