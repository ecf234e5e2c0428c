package io.tumbler.cell.server;

import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.CellConfigLoader;
import io.tumbler.cell.config.InvalidConfigException;
import io.tumbler.cell.replica.PlantedStorageBugs;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The replica process: {@code java $(scripts/jvm-flags) -jar tumbler-server.jar --config FILE}.
 *
 * <p>Exit codes: 2 for a bad command line or configuration (one line on stderr names the problem),
 * 1 if the replica cannot start (a port in use, a damaged log: see the log) or stop cleanly, and 0
 * after a graceful shutdown on SIGTERM or SIGINT.
 */
@Command(
    name = "tumbler-server",
    mixinStandardHelpOptions = true,
    versionProvider = TumblerServer.Version.class,
    description = "Runs one replica of a Tumbler cell (docs/operations.md).")
public final class TumblerServer implements Callable<Integer> {

  /** A bad command line or configuration file. */
  public static final int EXIT_BAD_CONFIG = 2;

  /** The replica could not start, or did not stop cleanly. */
  public static final int EXIT_FAILED = 1;

  /**
   * Chronicle Queue's system properties (TOOLCHAIN.md): set here too, for a JVM started without
   * scripts/jvm-flags. They must be set before Chronicle's classes load.
   */
  private static final String[] CHRONICLE_PROPERTIES = {
    "chronicle.analytics.disable", "chronicle.announcer.disable", "chronicle.disk.monitor.disable"
  };

  @Option(
      names = "--config",
      required = true,
      paramLabel = "FILE",
      description = "the replica's YAML configuration (sample: docs/replica.yaml)")
  private Path configFile;

  @Spec private CommandSpec spec;

  /** The version the jar's manifest carries (none when run from classes). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = TumblerServer.class.getPackage().getImplementationVersion();
      return new String[] {"tumbler-server " + (version == null ? "(development)" : version)};
    }
  }

  /**
   * The server's Logback configuration, on the classpath under a name of its own: a plain {@code
   * logback.xml} in this jar would also configure the logging of every application that runs a cell
   * in-process (EmbeddedCell) with the cell on its classpath.
   */
  static final String LOGBACK_CONFIGURATION = "tumbler-server-logback.xml";

  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
    }
    for (String property : CHRONICLE_PROPERTIES) {
      if (System.getProperty(property) == null) {
        System.setProperty(property, "true");
      }
    }
    // Returns only if the replica did not start; once it runs, the shutdown hook ends the process.
    System.exit(new CommandLine(new TumblerServer()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    CellConfig config;
    try {
      config = new CellConfigLoader().load(configFile);
    } catch (InvalidConfigException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return EXIT_BAD_CONFIG;
    }
    PlantedStorageBugs planted;
    try {
      // Test-only (the chaos harness's durability test); never set in production.
      planted =
          PlantedStorageBugs.fromProperty(
              System.getProperty(PlantedStorageBugs.ACK_BEFORE_WRITE_PROPERTY));
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return EXIT_BAD_CONFIG;
    }
    Logger log = LoggerFactory.getLogger(TumblerServer.class);
    if (planted.any()) {
      log.error(
          "replica {} runs with a PLANTED DURABILITY BUG ({}={}): it acknowledges votes before"
              + " writing them and loses acknowledged writes on kill -9. For tests only.",
          config.replicaId(),
          PlantedStorageBugs.ACK_BEFORE_WRITE_PROPERTY,
          planted.ackBeforeWriteMs());
    }
    TumblerReplica replica;
    try {
      replica = TumblerReplica.start(config, planted);
    } catch (Exception e) {
      log.error("replica {} cannot start", config.replicaId(), e);
      return EXIT_FAILED;
    }
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> shutDown(replica, log), "tumbler-shutdown"));
    new CountDownLatch(1).await(); // the replica's own threads do the work from here
    return 0;
  }

  /**
   * Runs on SIGTERM or SIGINT. Ends with {@code halt(0)}: a JVM ended by a signal otherwise exits
   * with 128 + the signal's number, and a graceful stop is a success. Nothing else in the process
   * needs its hook run: the replica's storage is closed by then.
   */
  private static void shutDown(TumblerReplica replica, Logger log) {
    log.info("replica {} shutting down", replica.config().replicaId());
    int status = 0;
    try {
      replica.close();
      log.info("replica {} stopped", replica.config().replicaId());
    } catch (RuntimeException | Error e) {
      log.error("replica {} did not shut down cleanly", replica.config().replicaId(), e);
      status = EXIT_FAILED;
    }
    Runtime.getRuntime().halt(status);
  }
}
