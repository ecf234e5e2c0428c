package io.tumbler.bench.suite;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * One result of the side-by-side benchmark: one system, one workload, one client count. The fields
 * are the JSON schema of {@code benchmarks/results/<timestamp>.json} (docs/performance.md).
 *
 * @param system tumbler, zookeeper or etcd
 * @param workload the workload's {@link Workload#cliName}
 * @param clients sessions issuing operations (for {@code sessions}: idle sessions held open)
 * @param seconds measured seconds
 * @param opsPerSec successful operations per measured second
 * @param p50Us median latency of successful operations, microseconds
 * @param p99Us 99th percentile, microseconds
 * @param p999Us 99.9th percentile, microseconds
 * @param errors operations that failed (or, for {@code sessions}, sessions lost)
 * @param extra workload-specific figures: {@code maxGapMs}, {@code writerGapMs}, {@code
 *     writersAlive} (failover), {@code leaderCpuPercent}, {@code leaderRssMiB} (sessions)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Row(
    String system,
    String workload,
    int clients,
    double seconds,
    double opsPerSec,
    double p50Us,
    double p99Us,
    double p999Us,
    long errors,
    Map<String, Double> extra) {

  public Row {
    extra = Map.copyOf(extra);
  }
}
