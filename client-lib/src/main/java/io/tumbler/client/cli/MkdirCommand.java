package io.tumbler.client.cli;

import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.NodePath;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mkdir", description = "Creates a directory (its parent must exist unless -p).")
final class MkdirCommand extends CellCommand {

  @Parameters(paramLabel = "PATH", description = "The new directory, e.g. /ls/local/jobs.")
  String path;

  @Option(
      names = {"-p", "--parents"},
      description = "Create missing parents too, and succeed if the directory exists.")
  boolean parents;

  @Override
  public Integer call() {
    NodePath name;
    try {
      name = NodePath.parse(path);
    } catch (IllegalArgumentException e) {
      throw new CliFailure(ExitCode.USAGE, "BAD_NAME: " + e.getMessage());
    }
    try (TumblerClient client = cli.connect()) {
      if (!parents) {
        client.open(path, OpenOptions.readWrite().directory().mustCreate());
        return ExitCode.OK;
      }
      String prefix = "/ls/" + name.cell();
      String rest = name.toString().substring(prefix.length());
      StringBuilder current = new StringBuilder(prefix);
      for (String part : rest.split("/")) {
        if (part.isEmpty()) {
          continue;
        }
        current.append('/').append(part);
        client.open(current.toString(), OpenOptions.readWrite().directory());
      }
    }
    return ExitCode.OK;
  }
}
