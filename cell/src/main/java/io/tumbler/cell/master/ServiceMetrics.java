package io.tumbler.cell.master;

/**
 * What the service reports as it works; the admin endpoint exports it (Prometheus). Called on the
 * applier thread, so implementations must be cheap and thread-safe for readers.
 */
public interface ServiceMetrics {

  /** A client request (by message or request type, e.g. {@code SetContents}) was answered. */
  void requestServed(String type, long latencyNanos, boolean ok);

  /** A chosen slot was applied; {@code commands} is its batch size (0 for a no-op). */
  void slotApplied(int commands);

  /** Cache invalidations were sent to sessions before a write. */
  void invalidationsSent(int count);

  /** The master expired a session whose lease ran out. */
  void sessionExpired();

  ServiceMetrics NONE =
      new ServiceMetrics() {
        @Override
        public void requestServed(String type, long latencyNanos, boolean ok) {}

        @Override
        public void slotApplied(int commands) {}

        @Override
        public void invalidationsSent(int count) {}

        @Override
        public void sessionExpired() {}
      };
}
