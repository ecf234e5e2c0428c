package io.tumbler.chaos.nemesis;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the nemesis did and when, on the history's clock: one JSON line per fault as it starts and
 * as it heals ({@code {"time": ns, "event": "start"|"heal", "fault": "kill", "detail": "..."}}), so
 * that a failover gap or an anomaly in the history can be matched to the fault around it. Also
 * logged, and counted for the run's summary.
 */
public final class FaultLog {

  private static final Logger log = LoggerFactory.getLogger(FaultLog.class);

  /** One fault as it happened: start and heal on the history's clock (heal -1 if never). */
  public record Entry(Fault fault, long startNs, long healNs) {}

  private final Writer out;
  private final LongSupplier clockNs;
  private final ObjectMapper json = new ObjectMapper();
  private final List<Entry> entries = new ArrayList<>();

  /**
   * @param out where the JSON lines go (flushed per line); the caller closes it
   * @param clockNs the history recorder's clock
   */
  public FaultLog(Writer out, LongSupplier clockNs) {
    this.out = out;
    this.clockNs = clockNs;
  }

  /** Notes that {@code fault} is in place now; returns the time. */
  public synchronized long started(Fault fault) {
    long now = clockNs.getAsLong();
    log.info("nemesis: {}", fault.describe());
    write(now, "start", fault);
    entries.add(new Entry(fault, now, -1));
    return now;
  }

  /** Notes that {@code fault}, started at {@code startNs}, is healed now. */
  public synchronized void healed(Fault fault, long startNs) {
    long now = clockNs.getAsLong();
    log.info("nemesis: healed {} after {} ms", fault.describe(), (now - startNs) / 1_000_000);
    write(now, "heal", fault);
    entries.replaceAll(
        e -> e.fault() == fault && e.startNs() == startNs ? new Entry(fault, startNs, now) : e);
  }

  private void write(long timeNs, String event, Fault fault) {
    ObjectNode n = json.createObjectNode();
    n.put("time", timeNs);
    n.put("event", event);
    n.put("fault", fault.kind().cliName());
    n.put("detail", fault.describe());
    try {
      out.write(json.writeValueAsString(n));
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the fault log", e);
    }
  }

  public synchronized List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** Faults started, by kind. */
  public synchronized Map<FaultKind, Integer> counts() {
    Map<FaultKind, Integer> counts = new EnumMap<>(FaultKind.class);
    for (Entry e : entries) {
      counts.merge(e.fault().kind(), 1, Integer::sum);
    }
    return counts;
  }
}
