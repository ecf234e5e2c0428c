package io.tumbler.client.recipes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.client.TumblerException.InvalidSequencerException;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SequencerCheckerTest {

  private static final String LOCK = "/ls/prod/db/shard-7";

  private static ByteString fence(long instance, long generation) {
    return new Sequencer(LOCK, instance, LockMode.EXCLUSIVE, generation).encode();
  }

  @Test
  void aNewerHolderShutsOutTheOlderOne() {
    SequencerChecker checker = SequencerChecker.monotonic();
    assertThat(checker.check(LOCK, fence(5, 1)).lockGeneration()).isEqualTo(1);
    assertThat(checker.check(LOCK, fence(5, 1)).lockGeneration())
        .as("the same holder goes on")
        .isEqualTo(1);
    checker.check(LOCK, fence(5, 2));

    assertThatThrownBy(() -> checker.check(LOCK, fence(5, 1)))
        .isInstanceOf(InvalidSequencerException.class)
        .hasMessageContaining("older");
  }

  @Test
  void aFenceOfAnEarlierNodeInstanceIsRefusedWhateverItsGeneration() {
    SequencerChecker checker = SequencerChecker.monotonic();
    checker.check(LOCK, fence(9, 1)); // the node was deleted and created again: generations restart
    assertThatThrownBy(() -> checker.check(LOCK, fence(5, 40)))
        .isInstanceOf(InvalidSequencerException.class);
  }

  @Test
  void sharedHoldersOfOneGenerationAreAllAccepted() {
    SequencerChecker checker = SequencerChecker.monotonic();
    ByteString shared = new Sequencer(LOCK, 5, LockMode.SHARED, 3).encode();
    checker.check(LOCK, shared);
    checker.check(LOCK, shared);
  }

  @Test
  void aFenceOfAnotherLockOrNoFenceAtAllIsRefused() {
    SequencerChecker checker = SequencerChecker.monotonic();
    ByteString other = new Sequencer("/ls/prod/db/shard-8", 5, LockMode.EXCLUSIVE, 99).encode();
    assertThatThrownBy(() -> checker.check(LOCK, other))
        .isInstanceOf(InvalidSequencerException.class)
        .hasMessageContaining("not a fence of");
    assertThatThrownBy(() -> checker.check(LOCK, null))
        .isInstanceOf(InvalidSequencerException.class);
    assertThatThrownBy(() -> checker.check(LOCK, ByteString.utf8("trust me")))
        .isInstanceOf(InvalidSequencerException.class)
        .hasMessageContaining("malformed");
  }

  @Test
  void aDamagedFenceIsRefused() {
    byte[] bytes = fence(5, 1).toByteArray();
    bytes[bytes.length - 10] ^= 1; // the generation, under the checksum
    assertThatThrownBy(() -> SequencerChecker.monotonic().check(LOCK, ByteString.wrap(bytes)))
        .isInstanceOf(InvalidSequencerException.class);
  }

  @Test
  void localStandsForTheLocksCell() {
    SequencerChecker checker = SequencerChecker.monotonic();
    assertThat(checker.check("/ls/local/db/shard-7", fence(5, 1)).path()).isEqualTo(LOCK);
    assertThatThrownBy(() -> checker.check("/ls/other/db/shard-7", fence(5, 1)))
        .isInstanceOf(InvalidSequencerException.class);
  }

  /**
   * Checks racing from many threads: the newest generation remembered is the highest offered. A
   * check-then-update that is not atomic loses updates and remembers a lower one.
   */
  @Test
  void racingChecksNeverAcceptAnOlderFenceAfterANewerOne() throws Exception {
    SequencerChecker.Monotonic checker = SequencerChecker.monotonic();
    int threads = 4;
    int perThread = 2_000;
    ConcurrentLinkedQueue<long[]> accepted = new ConcurrentLinkedQueue<>(); // {gen, nanoTime}
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t;
      Thread w =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < perThread; i++) {
                  long generation = i * threads + offset;
                  try {
                    checker.check(LOCK, fence(5, generation));
                    accepted.add(new long[] {generation});
                  } catch (InvalidSequencerException refused) {
                    // older than one seen
                  }
                }
              });
      workers.add(w);
      w.start();
    }
    go.countDown();
    for (Thread w : workers) {
      w.join();
    }
    long highest = threads * perThread - 1L;
    assertThat(checker.newestGeneration(LOCK)).contains(highest);
    assertThat(accepted).extracting(a -> a[0]).contains(highest);
  }
}
