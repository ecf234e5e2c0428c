package io.tumbler.client.cli;

import io.tumbler.client.CellAddresses;
import io.tumbler.client.CellProbe;
import io.tumbler.client.CellProbe.CellStatus;
import io.tumbler.client.CellProbe.ReplicaAnswer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(
    name = "status",
    description = {
      "Asks every replica who the master is (no session is opened); prints the master, its epoch"
          + " and the cell's members. Exits 6 if no replica names a master."
    })
final class StatusCommand extends CellCommand {

  @Override
  public Integer call() {
    CellAddresses addresses = cli.cellAddresses();
    CellStatus status = CellProbe.probe(addresses, cli.timeout);
    if (cli.json) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("master", status.hasMaster() ? status.master() : null);
      json.put("epoch", status.epoch());
      json.put("members", List.copyOf(status.members()));
      List<Map<String, Object>> replicas = new ArrayList<>();
      for (ReplicaAnswer a : status.replicas()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("address", a.address());
        r.put("reachable", a.reachable());
        r.put("master", a.master().isEmpty() ? null : a.master());
        r.put("epoch", a.epoch());
        r.put("error", a.error().orElse(null));
        replicas.add(r);
      }
      json.put("replicas", replicas);
      cli.printJson(json);
    } else {
      var out = cli.out();
      out.println("master:  " + (status.hasMaster() ? status.master() : "(none)"));
      out.println("epoch:   " + status.epoch());
      out.println("members: " + String.join(",", status.members()));
      out.printf("%-22s %-10s %-22s %s%n", "REPLICA", "REACHABLE", "SAYS-MASTER", "EPOCH");
      for (ReplicaAnswer a : status.replicas()) {
        out.printf(
            "%-22s %-10s %-22s %s%n",
            a.address(),
            a.reachable() ? "yes" : "no",
            a.reachable() ? (a.master().isEmpty() ? "(none)" : a.master()) : "-",
            a.reachable() ? Long.toString(a.epoch()) : a.error().orElse(""));
      }
      out.flush();
    }
    if (!status.hasMaster()) {
      System.err.println(
          "tumbler: cell unreachable: "
              + (status.anyReachable()
                  ? "no replica of " + addresses + " knows a master"
                  : "no replica of " + addresses + " answered"));
      return ExitCode.CELL_UNREACHABLE;
    }
    return ExitCode.OK;
  }
}
