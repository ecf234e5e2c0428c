package io.tumbler.bench.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Driver} must do against its running system, whatever the system: a read returns
 * the last write, and a lock held by one session keeps another out until released. A subclass
 * starts the system and says how to make a driver.
 */
public abstract class DriverSmokeTests {

  static final Duration DEADLINE = Duration.ofSeconds(30);

  /** How long the second session must stay blocked while the first holds the lock. */
  static final Duration EXCLUSION_WINDOW = Duration.ofMillis(500);

  /** The running system's member addresses. */
  protected abstract List<String> addresses();

  /** A driver not yet connected. */
  protected abstract Driver newDriver();

  private Driver connected() throws Exception {
    Driver d = newDriver();
    d.connect(addresses());
    return d;
  }

  @Test
  void readReturnsTheLastWriteFromAnySession() throws Exception {
    try (Driver writer = connected();
        Driver reader = connected()) {
      writer.write("smoke-key", bytes("first"));
      writer.write("smoke-key", bytes("second"));

      assertThat(writer.read("smoke-key")).isEqualTo(bytes("second"));
      // The other session may read from a follower (ZooKeeper's getData): wait, don't assume.
      await()
          .atMost(DEADLINE)
          .until(
              () -> new String(reader.read("smoke-key"), StandardCharsets.UTF_8), "second"::equals);
    }
  }

  @Test
  void lockHeldByOneSessionExcludesAnotherUntilReleased() throws Exception {
    // A Curator mutex must be released by the thread that acquired it: the second session's calls
    // all run on one thread of their own.
    ExecutorService secondThread = Executors.newSingleThreadExecutor();
    try (Driver first = connected();
        Driver second = connected()) {
      first.acquire("smoke-lock");
      CompletableFuture<Void> secondAcquired =
          CompletableFuture.runAsync(() -> call(() -> second.acquire("smoke-lock")), secondThread);

      await()
          .during(EXCLUSION_WINDOW)
          .atMost(EXCLUSION_WINDOW.multipliedBy(4))
          .until(() -> !secondAcquired.isDone());
      first.release("smoke-lock");
      await().atMost(DEADLINE).until(secondAcquired::isDone);
      secondAcquired.join(); // rethrows if the acquire failed rather than succeeded

      CompletableFuture.runAsync(() -> call(() -> second.release("smoke-lock")), secondThread)
          .join();
      first.acquire("smoke-lock"); // free again
      first.release("smoke-lock");
    } finally {
      secondThread.shutdownNow();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void call(Call c) {
    try {
      c.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
