package io.tumbler.bench.zookeeper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scripts/zk}: starts a 3-server ZooKeeper ensemble on loopback and returns once it has a
 * quorum (the servers keep running), or stops the one started in the same directory.
 */
@Command(
    name = "zk",
    mixinStandardHelpOptions = true,
    description = "Starts or stops a local ZooKeeper ensemble for the benchmarks.")
public final class ZooKeeperEnsembleCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "start or stop")
  String action;

  @Option(names = "--dir", required = true, description = "The ensemble's configuration and data.")
  Path dir;

  @Option(names = "--servers", defaultValue = "3", description = "Ensemble size (odd).")
  int servers;

  @Option(
      names = "--base-port",
      defaultValue = "" + EnsembleConfig.DEFAULT_BASE_PORT,
      description = "Clients on base..base+n-1, quorum on base+10.., election on base+20..")
  int basePort;

  @Option(names = "--max-heap", defaultValue = "1g", description = "Each server's -Xmx.")
  String maxHeap;

  @Option(names = "--quorum-timeout-seconds", defaultValue = "60")
  int quorumTimeoutSeconds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ZooKeeperEnsembleCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    EnsembleConfig config = EnsembleConfig.onPorts(dir, servers, basePort);
    switch (action) {
      case "start":
        ZooKeeperEnsemble ensemble =
            ZooKeeperEnsemble.start(config, System.getProperty("java.class.path"), maxHeap);
        try {
          ensemble.awaitQuorum(Duration.ofSeconds(quorumTimeoutSeconds));
        } catch (IllegalStateException e) {
          ensemble.close();
          throw e;
        }
        System.out.println(String.join(",", config.clientAddresses()));
        return 0;
      case "stop":
        try (ZooKeeperEnsemble running = ZooKeeperEnsemble.attach(config)) {
          System.out.println("stopping ZooKeeper servers " + running.running().keySet());
        }
        return 0;
      default:
        throw new CommandLine.ParameterException(
            new CommandLine(this), "action must be start or stop, was " + action);
    }
  }
}
