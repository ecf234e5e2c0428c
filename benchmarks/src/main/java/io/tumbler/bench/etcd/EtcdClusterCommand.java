package io.tumbler.bench.etcd;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scripts/etcd}: starts a 3-member etcd cluster on loopback and returns once every member is
 * healthy (the members keep running), or stops the one started in the same directory.
 */
@Command(
    name = "etcd",
    mixinStandardHelpOptions = true,
    description = "Starts or stops a local etcd cluster for the benchmarks.")
public final class EtcdClusterCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "start or stop")
  String action;

  @Option(names = "--dir", required = true, description = "The cluster's data and logs.")
  Path dir;

  @Option(names = "--members", defaultValue = "3", description = "Cluster size (odd).")
  int members;

  @Option(
      names = "--base-port",
      defaultValue = "" + EtcdClusterConfig.DEFAULT_BASE_PORT,
      description = "Clients on base..base+n-1, peers on base+10..")
  int basePort;

  @Option(names = "--quorum-timeout-seconds", defaultValue = "60")
  int quorumTimeoutSeconds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new EtcdClusterCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    EtcdClusterConfig config = EtcdClusterConfig.onPorts(dir, members, basePort);
    switch (action) {
      case "start":
        EtcdCluster cluster = EtcdCluster.start(config);
        try {
          cluster.awaitQuorum(Duration.ofSeconds(quorumTimeoutSeconds));
        } catch (IllegalStateException e) {
          cluster.close();
          throw e;
        }
        System.out.println(String.join(",", config.clientAddresses()));
        return 0;
      case "stop":
        try (EtcdCluster running = EtcdCluster.attach(config)) {
          System.out.println("stopping etcd members " + running.running().keySet());
        }
        return 0;
      default:
        throw new CommandLine.ParameterException(
            new CommandLine(this), "action must be start or stop, was " + action);
    }
  }
}
