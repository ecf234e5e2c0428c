package io.tumbler.client.cli;

import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.NodeKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "ls",
    description = {
      "Lists a directory's children in name order, one per line; directories end in /.",
      "With --json: {path, children: [{name, stat}]}."
    })
final class LsCommand extends CellCommand {

  @Parameters(paramLabel = "PATH", description = "The directory, e.g. /ls/local.")
  String path;

  @Option(
      names = "-l",
      description = "Long form: kind, ephemeral (e), content generation, length, name.")
  boolean longForm;

  @Override
  public Integer call() {
    try (TumblerClient client = cli.connect()) {
      List<ChildEntry> children = client.open(path, OpenOptions.read()).readDir();
      if (cli.json) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (ChildEntry child : children) {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("name", child.name());
          entry.put("stat", TumblerCli.statJson(child.stat()));
          list.add(entry);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", path);
        json.put("children", list);
        cli.printJson(json);
        return ExitCode.OK;
      }
      for (ChildEntry child : children) {
        boolean dir = child.stat().kind() == NodeKind.DIRECTORY;
        String name = child.name() + (dir ? "/" : "");
        if (longForm) {
          cli.out()
              .printf(
                  "%-4s %s %8d %8d %s%n",
                  dir ? "dir" : "file",
                  child.stat().ephemeral() ? "e" : "-",
                  child.stat().contentGeneration(),
                  child.stat().contentLength(),
                  name);
        } else {
          cli.out().println(name);
        }
      }
      cli.out().flush();
    }
    return ExitCode.OK;
  }
}
