package io.tumbler.client.cli;

import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "rm", description = "Deletes a file or an empty directory.")
final class RmCommand extends CellCommand {

  @Parameters(paramLabel = "PATH", description = "The node to delete.")
  String path;

  @Override
  public Integer call() {
    try (TumblerClient client = cli.connect()) {
      client.open(path, OpenOptions.readWrite()).delete();
    }
    return ExitCode.OK;
  }
}
