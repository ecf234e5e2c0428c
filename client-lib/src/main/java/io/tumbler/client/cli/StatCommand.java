package io.tumbler.client.cli;

import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.lockservice.command.Stat;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "stat",
    description = "Prints a node's metadata: kind, generations, length, checksum, ACL names.")
final class StatCommand extends CellCommand {

  @Parameters(paramLabel = "PATH", description = "The file or directory.")
  String path;

  @Override
  public Integer call() {
    try (TumblerClient client = cli.connect()) {
      Stat stat = client.open(path, OpenOptions.read()).getStat();
      if (cli.json) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", path);
        json.putAll(TumblerCli.statJson(stat));
        cli.printJson(json);
      } else {
        var out = cli.out();
        out.println("path:               " + path);
        out.println("kind:               " + stat.kind());
        out.println("ephemeral:          " + stat.ephemeral());
        out.println("instance-number:    " + stat.instanceNumber());
        out.println("content-generation: " + stat.contentGeneration());
        out.println("lock-generation:    " + stat.lockGeneration());
        out.println("acl-generation:     " + stat.aclGeneration());
        out.println("content-length:     " + stat.contentLength());
        out.println("content-checksum:   " + String.format("%08x", stat.contentChecksum()));
        out.println(
            "acls:               read="
                + stat.acls().read()
                + " write="
                + stat.acls().write()
                + " change-acl="
                + stat.acls().changeAcl());
        out.flush();
      }
    }
    return ExitCode.OK;
  }
}
