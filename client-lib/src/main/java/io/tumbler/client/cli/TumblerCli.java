package io.tumbler.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tumbler.client.CellAddresses;
import io.tumbler.client.SessionListener;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException;
import io.tumbler.client.TumblerException.BadNameException;
import io.tumbler.client.TumblerException.CellUnreachableException;
import io.tumbler.client.TumblerException.GenerationMismatchException;
import io.tumbler.client.TumblerException.NotFoundException;
import io.tumbler.client.TumblerException.SessionExpiredException;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.Stat;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * {@code tumbler}: the command-line client of a Tumbler cell (docs/cli.md). Each run opens one
 * session, does one thing, and ends the session, which releases whatever it held.
 *
 * <p>Its output is for people by default and for scripts with {@code --json}; errors are one line
 * on stderr and an exit code from {@link ExitCode}.
 */
@Command(
    name = "tumbler",
    mixinStandardHelpOptions = true,
    versionProvider = TumblerCli.Version.class,
    description = "Talks to a Tumbler cell: files, directories, locks, elections, events.",
    subcommands = {
      PutCommand.class,
      GetCommand.class,
      StatCommand.class,
      LsCommand.class,
      MkdirCommand.class,
      RmCommand.class,
      LockCommand.class,
      ElectCommand.class,
      WatchCommand.class,
      StatusCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Paths are full names: /ls/<cell>/..., where /ls/local/ is the cell named by --cell-name.",
      "Exit codes (docs/cli.md): 0 ok, 1 error, 2 usage, 3 not found,",
      "4 generation mismatch, 5 lock not acquired in time, 6 cell unreachable,",
      "7 session expired; lock and elect exit with their COMMAND's code once it ran."
    })
public final class TumblerCli {

  /** The environment variable that names the cell when {@code --cell} is not given. */
  public static final String CELL_ENV = "TUMBLER_CELL";

  /** The environment variable a locked or elected COMMAND finds its sequencer in (Base64). */
  public static final String SEQUENCER_ENV = "TUMBLER_SEQUENCER";

  /** Name of the CLI's Logback configuration: not logback.xml, so no application picks it up. */
  static final String LOGBACK_CONFIGURATION = "tumbler-cli-logback.xml";

  /** Read by {@link #LOGBACK_CONFIGURATION} for the root level; WARN unless --verbose. */
  static final String LOG_LEVEL_PROPERTY = "tumbler.cli.log.level";

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  @Option(
      names = "--cell",
      scope = ScopeType.INHERIT,
      paramLabel = "HOST:PORT,...",
      description =
          "The cell's replicas (default: $TUMBLER_CELL, else " + CellAddresses.LOCAL_CELL + ").")
  String cell;

  @Option(
      names = "--cell-name",
      scope = ScopeType.INHERIT,
      paramLabel = "NAME",
      description = "The cell's name, which /ls/local/ stands for (default: local).")
  String cellName = "local";

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print results as JSON (one object per line for watch).")
  boolean json;

  @Option(
      names = {"-v", "--verbose"},
      scope = ScopeType.INHERIT,
      description = "Show stack traces with errors, and the client's log at INFO.")
  boolean verbose;

  @Option(
      names = "--timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "DURATION",
      converter = Durations.class,
      description =
          "How long to wait for a master, at start and whenever it is lost, before giving up"
              + " (default: 10s). Durations: 500ms, 10s, 2m.")
  Duration timeout = DEFAULT_TIMEOUT;

  private final ObjectMapper mapper =
      new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (System.exit is the caller's business). */
  public static int run(String... args) {
    configureLogging(args);
    CommandLine cli = commandLine();
    return cli.execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new TumblerCli());
    cli.setParameterExceptionHandler(TumblerCli::usageError);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          TumblerCli root = commandLine.getCommandSpec().root().commandLine().getCommand();
          return root.failed(e);
        });
    return cli;
  }

  /** Must run before anything logs: Logback reads its configuration once. */
  private static void configureLogging(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGBACK_CONFIGURATION);
    }
    boolean verbose = false;
    for (String arg : args) {
      if (arg.equals("--")) {
        break; // what follows is a COMMAND's
      }
      verbose |= arg.equals("--verbose") || arg.equals("-v");
    }
    if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
      System.setProperty(LOG_LEVEL_PROPERTY, verbose ? "INFO" : "WARN");
    }
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    String name = cmd.getCommandSpec().qualifiedName();
    cmd.getErr().println("tumbler: " + e.getMessage() + " (see '" + name + " --help')");
    cmd.getErr().flush();
    return ExitCode.USAGE;
  }

  /** One line on stderr (and the stack trace with --verbose); the exit code for {@code e}. */
  int failed(Exception e) {
    int code = exitCodeOf(e);
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    System.err.println("tumbler: " + message.replace('\n', ' '));
    if (verbose) {
      e.printStackTrace(System.err);
    }
    System.err.flush();
    return code;
  }

  static int exitCodeOf(Throwable e) {
    if (e instanceof CliFailure f) {
      return f.exitCode();
    } else if (e instanceof NotFoundException) {
      return ExitCode.NOT_FOUND;
    } else if (e instanceof GenerationMismatchException) {
      return ExitCode.GENERATION_MISMATCH;
    } else if (e instanceof CellUnreachableException) {
      return ExitCode.CELL_UNREACHABLE;
    } else if (e instanceof SessionExpiredException) {
      return ExitCode.SESSION_EXPIRED;
    } else if (e instanceof BadNameException || e instanceof IllegalArgumentException) {
      return ExitCode.USAGE;
    }
    return ExitCode.ERROR;
  }

  // --- what the commands share ---------------------------------------------------------------

  CellAddresses cellAddresses() {
    String spec = cell;
    if (spec == null) {
      spec = System.getenv(CELL_ENV);
    }
    if (spec == null || spec.isBlank()) {
      spec = CellAddresses.LOCAL_CELL;
    }
    try {
      return CellAddresses.parse(spec);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(ExitCode.USAGE, e.getMessage());
    }
  }

  /** A session with the cell, waiting at most {@code --timeout} for a master. */
  TumblerClient connect() {
    return connect(new SessionListener() {});
  }

  TumblerClient connect(SessionListener listener) {
    CellAddresses addresses = cellAddresses();
    if (timeout.isZero()) {
      throw new CliFailure(ExitCode.USAGE, "--timeout must be more than zero");
    }
    try {
      return TumblerClient.builder()
          .cell(addresses.toString())
          .cellName(cellName)
          .gracePeriod(timeout)
          .sessionListener(listener)
          .build();
    } catch (CellUnreachableException e) {
      throw new CellUnreachableException(
          "cell unreachable: no master of "
              + addresses
              + " answered within "
              + Durations.format(timeout));
    } catch (IllegalArgumentException e) {
      throw new CliFailure(ExitCode.USAGE, e.getMessage());
    }
  }

  PrintStream out() {
    return System.out;
  }

  /** Prints {@code value} as one line of JSON. */
  void printJson(Object value) {
    try {
      out().println(mapper.writeValueAsString(value));
      out().flush();
    } catch (JsonProcessingException e) {
      throw new TumblerException(null, "cannot write JSON: " + e.getMessage());
    }
  }

  static Map<String, Object> statJson(Stat stat) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", stat.kind().name());
    m.put("ephemeral", stat.ephemeral());
    m.put("instanceNumber", stat.instanceNumber());
    m.put("contentGeneration", stat.contentGeneration());
    m.put("lockGeneration", stat.lockGeneration());
    m.put("aclGeneration", stat.aclGeneration());
    m.put("contentLength", stat.contentLength());
    m.put("contentChecksum", stat.contentChecksum());
    AclNames acls = stat.acls();
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("read", acls.read());
    a.put("write", acls.write());
    a.put("changeAcl", acls.changeAcl());
    m.put("acls", a);
    return m;
  }

  /** The version the jar's manifest carries (none when run from classes). */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = TumblerCli.class.getPackage().getImplementationVersion();
      return new String[] {"tumbler " + (version == null ? "(development)" : version)};
    }
  }
}
