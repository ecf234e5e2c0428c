package io.tumbler.paxos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BallotTest {

  @Test
  void ordersByCounterThenByReplicaId() {
    assertThat(new Ballot(2, 0)).isGreaterThan(new Ballot(1, 4));
    assertThat(new Ballot(1, 4)).isGreaterThan(new Ballot(1, 3));
    assertThat(new Ballot(1, 3)).isEqualByComparingTo(new Ballot(1, 3));
    assertThat(new Ballot(1, 0).isAbove(Ballot.ZERO)).isTrue();
    assertThat(Ballot.ZERO.isAtLeast(Ballot.ZERO)).isTrue();
    assertThat(Ballot.ZERO.isAbove(Ballot.ZERO)).isFalse();
  }

  @Test
  void nextForIsTheSmallestBallotOfThatReplicaAboveThisOne() {
    assertThat(new Ballot(5, 2).nextFor(3)).isEqualTo(new Ballot(5, 3));
    assertThat(new Ballot(5, 2).nextFor(2)).isEqualTo(new Ballot(6, 2));
    assertThat(new Ballot(5, 2).nextFor(1)).isEqualTo(new Ballot(6, 1));
    assertThat(Ballot.ZERO.nextFor(0)).isEqualTo(new Ballot(1, 0));
  }

  @Test
  void nextForIsAlwaysAboveAndOwnedByTheProposer() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      Ballot seen = new Ballot(random.nextInt(1_000), random.nextInt(7));
      int proposer = random.nextInt(7);
      Ballot next = seen.nextFor(proposer);
      assertThat(next.isAbove(seen)).as("seed %d: %s.nextFor(%d)", seed, seen, proposer).isTrue();
      assertThat(next.replicaId()).isEqualTo(proposer);
      // Minimal: the ballot of the same proposer one step lower is not above what was seen.
      if (next.counter() > 1) {
        assertThat(new Ballot(next.counter() - 1, proposer).isAbove(seen))
            .as("seed %d: %s.nextFor(%d) is not the smallest", seed, seen, proposer)
            .isFalse();
      }
    }
  }

  @Test
  void sortingIsATotalOrderConsistentWithEquals() {
    List<Ballot> ballots = new ArrayList<>();
    for (long counter = 0; counter < 4; counter++) {
      for (int replica = 0; replica < 3; replica++) {
        ballots.add(new Ballot(counter, replica));
      }
    }
    for (Ballot a : ballots) {
      for (Ballot b : ballots) {
        assertThat(a.compareTo(b) == 0).isEqualTo(a.equals(b));
        assertThat(Integer.signum(a.compareTo(b))).isEqualTo(-Integer.signum(b.compareTo(a)));
      }
    }
  }

  @Test
  void rejectsNegativeParts() {
    assertThatThrownBy(() -> new Ballot(-1, 0)).hasMessageContaining("counter");
    assertThatThrownBy(() -> new Ballot(0, -1)).hasMessageContaining("replica id");
  }
}
