package io.tumbler.bench.suite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  private static Row row(String system, String workload, int clients, double ops) {
    return new Row(system, workload, clients, 10, ops, 100, 200, 300, 0, Map.of());
  }

  @Test
  void eachLineHasTumblersFigureEachPeersAndTheirRatio() {
    Report report =
        new Report(
            List.of(
                row("tumbler", "write", 64, 20_000),
                row("zookeeper", "write", 64, 10_000),
                row("etcd", "write", 64, 4_000)),
            List.of("zookeeper", "etcd"),
            "header");

    assertThat(report.markdown())
        .contains("| write | 64 | ops/s | 20,000 | 10,000 | 2.00 | 4,000 | 5.00 |");
  }

  @Test
  void readSyncIsSetAgainstTumblersReadsAndReadCachedAgainstThePeersPlainReads() {
    Report report =
        new Report(
            List.of(
                row("tumbler", "read", 16, 30_000),
                row("zookeeper", "read", 16, 20_000),
                row("zookeeper", "read-sync", 16, 10_000),
                row("tumbler", "read-cached", 16, 2_000_000)),
            List.of("zookeeper"),
            "header");

    String md = report.markdown();
    assertThat(md)
        .contains("| read (peers: sync + getData) | 16 | ops/s | 30,000 | 10,000 | 3.00 |");
    assertThat(md)
        .contains("| read-cached (peers: plain read) | 16 | ops/s | 2,000,000 | 20,000 | 100.00 |");
  }

  @Test
  void aMissingPeerFigureShowsADashNotARatio() {
    Report report =
        new Report(List.of(row("tumbler", "lock-same", 16, 900)), List.of("etcd"), "header");

    assertThat(report.markdown()).contains("| lock-same | 16 | ops/s | 900 | – | – |");
  }

  @Test
  void writesOneJsonObjectPerRowWithTheDocumentedFields(@TempDir Path dir) throws Exception {
    Row failover =
        new Row("tumbler", "failover", 16, 8, 3000, 1, 2, 3, 4, Map.of("maxGapMs", 1800.0));
    List<Path> written = new Report(List.of(failover), List.of(), "header").write(dir, "run");

    JsonNode json = new ObjectMapper().readTree(Files.readString(written.get(0)));
    assertThat(json).hasSize(1);
    JsonNode r = json.get(0);
    assertThat(r.fieldNames())
        .toIterable()
        .contains(
            "system",
            "workload",
            "clients",
            "seconds",
            "opsPerSec",
            "p50Us",
            "p99Us",
            "p999Us",
            "errors");
    assertThat(r.get("extra").get("maxGapMs").asDouble()).isEqualTo(1800.0);
    assertThat(written.get(1)).hasFileName("run.md");
  }
}
