package io.tumbler.bench.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The results of one suite run: {@code <stem>.json}, one {@link Row} per system × workload ×
 * clients, and {@code <stem>.md}, a table with, for every measurement, Tumbler's figure, each
 * peer's, and the ratio of Tumbler's to the peer's.
 */
final class Report {

  static final String TUMBLER = "tumbler";

  private final List<Row> rows;
  private final List<String> peers;
  private final String header;

  Report(List<Row> rows, List<String> peers, String header) {
    this.rows = List.copyOf(rows);
    this.peers = List.copyOf(peers);
    this.header = header;
  }

  /** Writes {@code <stem>.json} and {@code <stem>.md}; returns the two paths. */
  List<Path> write(Path dir, String stem) throws IOException {
    Files.createDirectories(dir);
    Path json = dir.resolve(stem + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), rows);
    Path markdown = dir.resolve(stem + ".md");
    Files.writeString(markdown, markdown(), StandardCharsets.UTF_8);
    return List.of(json, markdown);
  }

  /**
   * The comparison table. Each line compares like with like, except two: {@code read-sync}
   * (ZooKeeper's sync + getData) is set against Tumbler's master reads, which are linearizable too,
   * and {@code read-cached} against the peers' plain reads, which is what a client without
   * Tumbler's cache would do instead.
   */
  String markdown() {
    StringBuilder md = new StringBuilder(header).append("\n\n");
    md.append("| workload | clients | metric | tumbler |");
    for (String peer : peers) {
      md.append(' ').append(peer).append(" | tumbler / ").append(peer).append(" |");
    }
    md.append("\n|---|---:|---|---:|");
    md.append("---:|---:|".repeat(peers.size())).append('\n');
    for (Line line : lines()) {
      md.append("| ")
          .append(line.label)
          .append(" | ")
          .append(line.clients)
          .append(" | ")
          .append(line.metric.label)
          .append(" | ")
          .append(line.tumbler.map(line.metric::format).orElse("–"))
          .append(" |");
      for (String peer : peers) {
        Optional<Row> p = find(peer, line.peerWorkload, line.clients);
        md.append(' ').append(p.map(line.metric::format).orElse("–")).append(" | ");
        md.append(ratio(line, p)).append(" |");
      }
      md.append('\n');
    }
    md.append(
        "\nops/s and CPU are per second of measured time; latencies in microseconds. "
            + "Higher is better for ops/s; lower for latency, failover gap and CPU.\n");
    return md.toString();
  }

  private List<Line> lines() {
    List<Line> lines = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (Row r : rows) {
      String key = r.workload() + "×" + r.clients();
      if (seen.contains(key)) {
        continue;
      }
      seen.add(key);
      String tumblerWorkload = r.workload().equals("read-sync") ? "read" : r.workload();
      String peerWorkload = r.workload().equals("read-cached") ? "read" : r.workload();
      Optional<Row> tumbler = find(TUMBLER, tumblerWorkload, r.clients());
      for (Metric m : Metric.forWorkload(r.workload())) {
        lines.add(new Line(labelOf(r.workload()), r.clients(), m, tumbler, peerWorkload));
      }
    }
    return lines;
  }

  private static String labelOf(String workload) {
    switch (workload) {
      case "read-sync":
        return "read (peers: sync + getData)";
      case "read-cached":
        return "read-cached (peers: plain read)";
      default:
        return workload;
    }
  }

  private static String ratio(Line line, Optional<Row> peer) {
    if (line.tumbler.isEmpty() || peer.isEmpty()) {
      return "–";
    }
    double p = line.metric.value(peer.get());
    double t = line.metric.value(line.tumbler.get());
    return p == 0 ? "–" : String.format(Locale.ROOT, "%.2f", t / p);
  }

  private Optional<Row> find(String system, String workload, int clients) {
    return rows.stream()
        .filter(r -> r.system().equals(system))
        .filter(r -> r.workload().equals(workload))
        .filter(r -> r.clients() == clients)
        .findFirst();
  }

  private record Line(
      String label, int clients, Metric metric, Optional<Row> tumbler, String peerWorkload) {}

  /** What a line of the table shows. */
  enum Metric {
    OPS("ops/s"),
    P50("p50 µs"),
    P99("p99 µs"),
    GAP("max write gap ms"),
    WRITER_GAP("median writer's longest gap ms"),
    CPU("leader CPU %"),
    RSS("leader RSS MiB");

    final String label;

    Metric(String label) {
      this.label = label;
    }

    static List<Metric> forWorkload(String workload) {
      switch (workload) {
        case "failover":
          return List.of(GAP, WRITER_GAP, OPS);
        case "sessions":
          return List.of(CPU, RSS);
        default:
          return List.of(OPS, P50, P99);
      }
    }

    double value(Row r) {
      switch (this) {
        case OPS:
          return r.opsPerSec();
        case P50:
          return r.p50Us();
        case P99:
          return r.p99Us();
        case GAP:
          return r.extra().getOrDefault("maxGapMs", 0.0);
        case WRITER_GAP:
          return r.extra().getOrDefault("writerGapMs", 0.0);
        case CPU:
          return r.extra().getOrDefault("leaderCpuPercent", 0.0);
        default:
          return r.extra().getOrDefault("leaderRssMiB", 0.0);
      }
    }

    String format(Row r) {
      double v = value(r);
      return this == OPS || this == RSS || this == GAP || this == WRITER_GAP
          ? String.format(Locale.ROOT, "%,.0f", v)
          : String.format(Locale.ROOT, "%,.1f", v);
    }
  }
}
