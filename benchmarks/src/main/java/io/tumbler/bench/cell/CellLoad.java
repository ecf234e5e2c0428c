package io.tumbler.bench.cell;

import io.tumbler.bench.LatencySummary;
import io.tumbler.bench.LoadLoop;
import io.tumbler.bench.LoadTiming;
import io.tumbler.client.CellAddresses;
import io.tumbler.client.transport.CellSession;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Load on a running cell through the protocol-level client: N sessions, each with one request
 * outstanding at a time, writing (SetContents of its own file) or reading (GetContentsAndStat,
 * answered by the master from memory). Prints ops/s and latency percentiles. Start a cell first
 * ({@code scripts/cell start}); {@code scripts/bench-cell} does both.
 */
@Command(
    name = "cell-load",
    mixinStandardHelpOptions = true,
    description = "Writes or reads against a running cell and reports ops/s and latency.")
public final class CellLoad implements Callable<Integer> {

  @Option(names = "--cell", description = "Replica client addresses (default: the local cell).")
  String cell = CellAddresses.LOCAL_CELL;

  @Option(names = "--sessions", defaultValue = "1", description = "Concurrent sessions.")
  int sessions;

  @Option(names = "--workload", defaultValue = "write", description = "write or read.")
  String workload;

  @Mixin LoadTiming timing;

  @Option(names = "--value-bytes", defaultValue = "100", description = "Bytes per write.")
  int valueBytes;

  public static void main(String[] args) {
    System.exit(new CommandLine(new CellLoad()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!workload.equals("write") && !workload.equals("read")) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--workload must be write or read, was " + workload);
    }
    List<String> addresses =
        CellAddresses.parse(cell).replicas().stream().map(Object::toString).toList();
    List<CellSession> open = new ArrayList<>();
    List<Long> handles = new ArrayList<>();
    ByteString value = ByteString.wrap(new byte[valueBytes]);
    try (CellSession setup =
        CellSession.open(addresses, Duration.ofSeconds(45), new CellSession.Listener() {})
            .get(60, TimeUnit.SECONDS)) {
      Result dir =
          setup
              .call(
                  new Request.Open(
                      "/ls/local/bench",
                      EnumSet.of(Permission.READ),
                      EnumSet.noneOf(EventKind.class),
                      0,
                      CreateOptions.directory(false)))
              .get(60, TimeUnit.SECONDS);
      if (!dir.ok()) {
        System.err.println("cannot create /ls/local/bench: " + dir);
        return 1;
      }
    }
    for (int i = 0; i < sessions; i++) {
      CellSession s =
          CellSession.open(addresses, Duration.ofSeconds(45), new CellSession.Listener() {})
              .get(60, TimeUnit.SECONDS);
      open.add(s);
      Result opened =
          s.call(
                  new Request.Open(
                      "/ls/local/bench/load-" + i,
                      EnumSet.of(Permission.READ, Permission.WRITE),
                      EnumSet.noneOf(EventKind.class),
                      0,
                      CreateOptions.file(false, value)))
              .get(60, TimeUnit.SECONDS);
      if (!(opened instanceof Result.Opened o)) {
        System.err.println("cannot open a file: " + opened);
        return 1;
      }
      handles.add(o.handle());
    }
    List<LoadLoop.Operation> workers = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      CellSession s = open.get(i);
      long handle = handles.get(i);
      Request request =
          workload.equals("write")
              ? new Request.SetContents(handle, value, -1)
              : new Request.GetContentsAndStat(handle);
      workers.add(() -> s.call(request).get(60, TimeUnit.SECONDS).ok());
    }
    LatencySummary summary = timing.run(workers);
    for (CellSession s : open) {
      s.close();
    }
    LoadLoop.print(workload + " sessions=" + sessions, summary);
    return 0;
  }
}
