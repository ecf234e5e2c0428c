package io.tumbler.chaos.nemesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NemesisTest {

  private static final Set<FaultKind> ALL = EnumSet.allOf(FaultKind.class);

  /** Faults of a few milliseconds, so a test sees many. */
  private static NemesisSettings quick(Set<FaultKind> kinds, int maxFaults) {
    Duration ms = Duration.ofMillis(1);
    return new NemesisSettings(
        kinds, ms, ms.multipliedBy(3), ms, ms.multipliedBy(3), ms, ms, maxFaults);
  }

  private static Nemesis nemesis(FaultTarget target, Set<FaultKind> kinds, long seed) {
    AtomicLong clock = new AtomicLong();
    return new Nemesis(
        target,
        quick(kinds, 1_000),
        seed,
        new FaultLog(new StringWriter(), clock::incrementAndGet));
  }

  private static List<String> plans(long seed, int count) {
    Nemesis n = nemesis(new FakeTarget(5), ALL, seed);
    List<String> plans = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      plans.add(n.plan().describe());
    }
    return plans;
  }

  @Test
  void aSeedAlwaysMakesTheSameDecisions() {
    assertThat(plans(42, 200)).isEqualTo(plans(42, 200));
    assertThat(plans(42, 200)).isNotEqualTo(plans(43, 200));
  }

  @Test
  void onlyTheKindsAskedForAreUsedAndEveryVariantComesUp() {
    Nemesis n = nemesis(new FakeTarget(5), EnumSet.of(FaultKind.PARTITION), 7);
    Set<Class<?>> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Fault f = n.plan();
      assertThat(f.kind()).isEqualTo(FaultKind.PARTITION);
      seen.add(f.getClass());
      if (f instanceof Fault.Partition p && p.shape().equals("minority")) {
        assertThat(p.sides().get(0)).hasSize(2);
        assertThat(p.sides().get(1)).hasSize(3);
      }
    }
    assertThat(seen)
        .containsExactlyInAnyOrder(
            Fault.Partition.class, Fault.OneWay.class, Fault.ClientsCut.class);
  }

  @Test
  void killMajorityKillsAMajorityWithTheMasterAndFreezesTheRest() {
    Nemesis n = nemesis(new FakeTarget(5), EnumSet.of(FaultKind.KILL_MAJORITY), 3);
    for (int i = 0; i < 50; i++) {
      Fault.KillMajority f = (Fault.KillMajority) n.plan();
      assertThat(f.killed()).hasSize(3).contains(1); // 1 is the fake's master
      assertThat(f.frozen()).hasSize(2).doesNotContainAnyElementsOf(f.killed());
    }
  }

  @Test
  void everythingIsHealedWhenItStops() throws Exception {
    FakeTarget target = new FakeTarget(5);
    Nemesis n = nemesis(target, ALL, 11);
    Thread t = new Thread(n);
    t.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> target.actions.stream().filter(a -> a.startsWith("kill")).count() >= 5);
    n.stop();
    assertThat(n.awaitFinished(Duration.ofSeconds(60))).isTrue();
    t.join(10_000);
    assertThat(target.whole()).isTrue();
  }

  @Test
  void itStopsByItselfAfterItsLastFault() throws Exception {
    FakeTarget target = new FakeTarget(3);
    AtomicLong clock = new AtomicLong();
    FaultLog log = new FaultLog(new StringWriter(), clock::incrementAndGet);
    Nemesis n = new Nemesis(target, quick(ALL, 4), 5, log);
    Thread t = new Thread(n);
    t.start();
    assertThat(n.awaitFinished(Duration.ofSeconds(60))).isTrue();
    assertThat(log.entries()).hasSize(4).allMatch(e -> e.healNs() > e.startNs());
    assertThat(target.whole()).isTrue();
  }
}
