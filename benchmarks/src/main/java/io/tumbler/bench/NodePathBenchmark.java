package io.tumbler.bench;

import io.tumbler.lockservice.NodePath;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of validating a node name: the master does it for every request that names a node, before
 * the request can be batched into a Paxos slot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class NodePathBenchmark {

  private final String shallow = "/ls/local/config";
  private final String deep = "/ls/local/services/storage/shards/0042/primary/lock";

  @Benchmark
  public NodePath parseShallowName() {
    return NodePath.parse(shallow);
  }

  @Benchmark
  public NodePath parseDeepName() {
    return NodePath.parse(deep);
  }
}
