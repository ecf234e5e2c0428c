package io.tumbler.client.cli;

import io.tumbler.client.Handle;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Stat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "put",
    description = {
      "Writes a file's whole contents, creating the file if it is absent (its parent must exist).",
      "Prints nothing; with --json: {path, created, stat}."
    })
final class PutCommand extends CellCommand {

  @Parameters(index = "0", paramLabel = "PATH", description = "The file, e.g. /ls/local/config.")
  String path;

  @Parameters(
      index = "1",
      paramLabel = "VALUE|-",
      description = "The new contents (as UTF-8), or - to read them from standard input.")
  String value;

  @Option(
      names = "--expect-generation",
      paramLabel = "N",
      description =
          "Write only if the file exists and its content generation is still N"
              + " (compare-and-swap; see 'tumbler stat'). Otherwise exit 4.")
  Long expectGeneration;

  @Override
  public Integer call() throws IOException {
    ByteString contents =
        value.equals("-")
            ? ByteString.wrap(System.in.readAllBytes())
            : ByteString.wrap(value.getBytes(StandardCharsets.UTF_8));
    if (expectGeneration != null && expectGeneration < 0) {
      throw new CliFailure(ExitCode.USAGE, "--expect-generation must be zero or more");
    }
    try (TumblerClient client = cli.connect()) {
      Handle file;
      Stat stat;
      if (expectGeneration != null) {
        file = client.open(path, OpenOptions.readWrite());
        stat = file.setContents(contents, expectGeneration);
      } else {
        file = client.open(path, OpenOptions.readWrite().initialContents(contents));
        stat = file.created() ? null : file.setContents(contents);
      }
      if (cli.json) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", file.path());
        json.put("created", file.created());
        json.put("stat", TumblerCli.statJson(stat == null ? file.getStat() : stat));
        cli.printJson(json);
      }
    }
    return ExitCode.OK;
  }
}
