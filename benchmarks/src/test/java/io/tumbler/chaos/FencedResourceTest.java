package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.chaos.fencing.FencedResource;
import io.tumbler.chaos.fencing.ResourceDecision;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

class FencedResourceTest {

  static Sequencer sequencer(long generation) {
    return new Sequencer("/ls/local/lock", 1, LockMode.EXCLUSIVE, generation);
  }

  @Test
  void acceptsTheNewestHolderAgainAndRefusesAnOlderOne() {
    FencedResource r = new FencedResource("r");

    ResourceDecision first = r.write(1, sequencer(3), "a");
    ResourceDecision again = r.write(1, sequencer(3), "b");
    ResourceDecision newer = r.write(2, sequencer(4), "c");
    ResourceDecision stale = r.write(1, sequencer(3), "d");

    assertThat(List.of(first, again, newer, stale))
        .extracting(ResourceDecision::accepted)
        .containsExactly(true, true, true, false);
    assertThat(r.log()).extracting(ResourceDecision::order).containsExactly(0L, 1L, 2L, 3L);
    assertThat(r.value()).isEqualTo("c");
  }

  @Test
  void aNodeCreatedAgainStartsNewerWhateverItsGeneration() {
    FencedResource r = new FencedResource("r");
    r.write(1, sequencer(9), "a");

    ResourceDecision recreated =
        r.write(2, new Sequencer("/ls/local/lock", 2, LockMode.EXCLUSIVE, 1), "b");

    assertThat(recreated.accepted()).isTrue();
  }

  @Test
  void refusesASharedSequencerOrOneOfAnotherLock() {
    FencedResource r = new FencedResource("r");
    r.write(1, sequencer(1), "a");

    assertThatThrownBy(
            () -> r.write(1, new Sequencer("/ls/local/lock", 1, LockMode.SHARED, 2), "b"))
        .hasMessageContaining("exclusive");
    assertThatThrownBy(
            () -> r.write(1, new Sequencer("/ls/local/other", 1, LockMode.EXCLUSIVE, 2), "b"))
        .hasMessageContaining("is protected by /ls/local/lock, not /ls/local/other");
    assertThat(r.log()).hasSize(1);
  }

  @Test
  void concurrentWritersGetOneOrder() throws InterruptedException {
    FencedResource r = new FencedResource("r");
    ConcurrentLinkedQueue<ResourceDecision> decisions = new ConcurrentLinkedQueue<>();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int process = t;
      writers.add(
          new Thread(
              () -> {
                for (int i = 0; i < 1_000; i++) {
                  decisions.add(r.write(process, sequencer(1 + i % 7), process + "-" + i));
                }
              }));
    }
    writers.forEach(Thread::start);
    for (Thread w : writers) {
      w.join();
    }

    assertThat(r.log()).hasSize(4_000).containsExactlyInAnyOrderElementsOf(decisions);
    assertThat(r.log()).extracting(ResourceDecision::order).isSorted().doesNotHaveDuplicates();
  }
}
