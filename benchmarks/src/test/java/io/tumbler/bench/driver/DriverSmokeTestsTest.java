package io.tumbler.bench.driver;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The driver smoke tests pass a driver that keeps the {@link Driver} contract and catch one whose
 * lock excludes nobody (a planted bug), both on an in-memory "system".
 */
class DriverSmokeTestsTest {

  @Test
  void smokeTestsPassADriverThatKeepsTheContract() {
    run(OnCorrectDriver.class).assertStatistics(s -> s.started(2).succeeded(2));
  }

  @Test
  void smokeTestsCatchALockThatExcludesNobody() {
    Events events = run(OnLockThatExcludesNobody.class);
    events.assertStatistics(s -> s.started(2).succeeded(1).failed(1));
  }

  private static Events run(Class<?> smokeTests) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(smokeTests))
        .execute()
        .testEvents();
  }

  // Nested, so surefire and failsafe do not run them on their own: only through the test kit.

  static class OnCorrectDriver extends DriverSmokeTests {
    private static final Memory memory = new Memory(true);

    @Override
    protected List<String> addresses() {
      return List.of("memory");
    }

    @Override
    protected Driver newDriver() {
      return new MemoryDriver(memory);
    }
  }

  static class OnLockThatExcludesNobody extends DriverSmokeTests {
    private static final Memory memory = new Memory(false);

    @Override
    protected List<String> addresses() {
      return List.of("memory");
    }

    @Override
    protected Driver newDriver() {
      return new MemoryDriver(memory);
    }
  }

  /** The shared state of an in-memory system: values, and which driver holds each lock. */
  static final class Memory {
    private final boolean locksExclude;
    private final Map<String, byte[]> values = new HashMap<>();
    private final Map<String, MemoryDriver> holders = new HashMap<>();

    Memory(boolean locksExclude) {
      this.locksExclude = locksExclude;
    }

    synchronized void write(String key, byte[] value) {
      values.put(key, value.clone());
    }

    synchronized byte[] read(String key) {
      return values.get(key).clone();
    }

    synchronized void acquire(String lock, MemoryDriver by) throws InterruptedException {
      while (locksExclude && holders.containsKey(lock)) {
        wait();
      }
      holders.put(lock, by);
    }

    synchronized void release(String lock) {
      holders.remove(lock);
      notifyAll();
    }
  }

  static final class MemoryDriver implements Driver {
    private final Memory memory;

    MemoryDriver(Memory memory) {
      this.memory = memory;
    }

    @Override
    public void connect(List<String> addresses) {}

    @Override
    public void write(String key, byte[] value) {
      memory.write(Driver.checkName(key), value);
    }

    @Override
    public byte[] read(String key) {
      return memory.read(Driver.checkName(key));
    }

    @Override
    public void acquire(String lock) throws InterruptedException {
      memory.acquire(Driver.checkName(lock), this);
    }

    @Override
    public void release(String lock) {
      memory.release(Driver.checkName(lock));
    }

    @Override
    public void close() {}
  }
}
