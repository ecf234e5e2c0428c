package io.tumbler.bench.client;

import io.tumbler.bench.LatencySummary;
import io.tumbler.bench.LoadLoop;
import io.tumbler.bench.LoadTiming;
import io.tumbler.client.CacheStats;
import io.tumbler.client.CellAddresses;
import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.LockMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Load through the application API ({@link TumblerClient}) on a running cell: reads of one small
 * file with the cache on ({@code cached-read}) or off ({@code uncached-read}), or lock
 * acquire+release cycles of N sessions over M locks ({@code lock}). One client (session) per worker
 * thread, one call outstanding per session.
 */
@Command(
    name = "client-load",
    mixinStandardHelpOptions = true,
    description = "Reads or locks through TumblerClient and reports ops/s and latency.")
public final class ClientLoad implements Callable<Integer> {

  @Option(names = "--cell", description = "Replica client addresses (default: the local cell).")
  String cell = CellAddresses.LOCAL_CELL;

  @Option(
      names = "--workload",
      defaultValue = "cached-read",
      description = "cached-read, " + "uncached-read or lock.")
  String workload;

  @Option(names = "--sessions", defaultValue = "1", description = "Sessions (one thread each).")
  int sessions;

  @Option(names = "--locks", defaultValue = "16", description = "Locks the lock workload uses.")
  int locks;

  @Mixin LoadTiming timing;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ClientLoad()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    boolean cached = workload.equals("cached-read");
    if (!cached && !workload.equals("uncached-read") && !workload.equals("lock")) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--workload must be cached-read, uncached-read or lock");
    }
    List<TumblerClient> clients = new ArrayList<>();
    List<LoadLoop.Operation> workers = new ArrayList<>();
    try {
      for (int i = 0; i < sessions; i++) {
        TumblerClient client =
            TumblerClient.builder().cell(cell).maxCacheEntries(cached ? 10_000 : 0).build();
        clients.add(client);
        client.open("/ls/local/bench", OpenOptions.readWrite().directory()).close();
        workers.add(workload.equals("lock") ? locker(client) : reader(client));
      }
      LatencySummary summary = timing.run(workers);
      LoadLoop.print(workload + " sessions=" + sessions, summary);
      if (!workload.equals("lock")) {
        long hits = 0;
        long misses = 0;
        for (TumblerClient c : clients) {
          CacheStats stats = c.cacheStats();
          hits += stats.hits();
          misses += stats.misses();
        }
        System.out.printf("  cache hits %d, misses %d%n", hits, misses);
      }
    } finally {
      for (TumblerClient c : clients) {
        c.close();
      }
    }
    return 0;
  }

  private static LoadLoop.Operation reader(TumblerClient client) {
    Handle h =
        client.open(
            "/ls/local/bench/config", OpenOptions.read().createIfAbsent().initialContents("x=1"));
    return () -> h.getContentsAndStat().contents().size() > 0;
  }

  private LoadLoop.Operation locker(TumblerClient client) {
    List<Handle> handles = new ArrayList<>();
    for (int i = 0; i < locks; i++) {
      handles.add(client.open("/ls/local/bench/lock-" + i, OpenOptions.lock().createIfAbsent()));
    }
    return () -> {
      Handle h = handles.get(ThreadLocalRandom.current().nextInt(handles.size()));
      h.acquire(LockMode.EXCLUSIVE);
      h.release();
      return true;
    };
  }
}
