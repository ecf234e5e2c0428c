package io.tumbler.chaos.workload;

import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens sessions for the workers: each client group reaches the cell through its own proxies, and a
 * session that cannot be opened now (no master, a partition) is tried again until the run stops.
 */
final class Clients {

  private static final Logger log = LoggerFactory.getLogger(Clients.class);

  /** Pause between attempts to open a session. */
  static final long RETRY_MS = 500;

  private final List<String> connectStrings;
  private final Duration gracePeriod;
  private final int cacheEntries;

  /**
   * @param connectStrings per client group, its replicas' proxy addresses ({@code a:p,b:q,...})
   * @param cacheEntries each session's cache size; 0 turns caching off
   */
  Clients(List<String> connectStrings, Duration gracePeriod, int cacheEntries) {
    this.connectStrings = List.copyOf(connectStrings);
    this.gracePeriod = gracePeriod;
    this.cacheEntries = cacheEntries;
  }

  int groups() {
    return connectStrings.size();
  }

  /** A new session for a client of {@code group}, or null if the run stopped first. */
  TumblerClient open(int group, BooleanSupplier stopping) throws InterruptedException {
    while (!stopping.getAsBoolean()) {
      try {
        return TumblerClient.builder()
            .cell(connectStrings.get(group % connectStrings.size()))
            .gracePeriod(gracePeriod)
            .maxCacheEntries(cacheEntries)
            .build();
      } catch (TumblerException e) {
        log.debug("no session for group {} yet: {}", group, e.getMessage());
        Thread.sleep(RETRY_MS);
      }
    }
    return null;
  }

  /** Ends a session without waiting long for a cell that may be away. */
  static void closeQuietly(TumblerClient client) {
    if (client != null) {
      try {
        client.close();
      } catch (RuntimeException e) {
        log.debug("closing a session: {}", e.toString());
      }
    }
  }
}
