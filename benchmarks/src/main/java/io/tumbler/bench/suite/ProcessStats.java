package io.tumbler.bench.suite;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and resident memory of a process, read from Linux's {@code /proc}: how the sessions
 * workload measures what idle sessions cost a leader, whatever language it is written in.
 */
final class ProcessStats {

  /** {@code /proc/<pid>/stat} counts CPU time in clock ticks; 100 per second on Linux. */
  static final double CLOCK_TICKS_PER_SECOND = 100.0;

  private ProcessStats() {}

  /** User plus system CPU seconds the process has used so far. */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long utime = Long.parseLong(fields[11]); // field 14 of the whole line
    long stime = Long.parseLong(fields[12]); // field 15
    return (utime + stime) / CLOCK_TICKS_PER_SECOND;
  }

  /** Resident set size in MiB ({@code VmRSS}). */
  static double rssMiB(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        String kib = line.substring("VmRSS:".length()).trim().split("\\s+")[0];
        return Long.parseLong(kib) / 1024.0;
      }
    }
    throw new IOException("no VmRSS in /proc/" + pid + "/status");
  }
}
