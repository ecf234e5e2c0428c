package io.tumbler.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.chaos.fencing.FenceOrder;
import io.tumbler.chaos.fencing.FenceRule;
import io.tumbler.chaos.fencing.FencedResource;
import io.tumbler.chaos.fencing.ResourceDecision;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.locksafety.LockSafetyChecker;
import io.tumbler.chaos.locksafety.LockSafetyResult;
import io.tumbler.chaos.locksafety.LockViolation;
import io.tumbler.chaos.locksafety.LockViolation.Kind;
import java.io.IOException;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Under a schedule where lock holders overlap (a paused holder wakes up and writes after its lock
 * was given away), a resource that checks sequencers keeps the critical sections apart and the
 * checker finds nothing; every planted fault, in the resource or in the lock service, is caught.
 */
class LockSafetyCheckerTest {

  private static final SimulatedLockClients.Config OVERLAPPING =
      new SimulatedLockClients.Config(5, 200, 30);

  private final LockSafetyChecker checker = new LockSafetyChecker();

  @Test
  void aResourceThatChecksSequencersKeepsOverlappingHoldersApart() throws IOException {
    for (long seed : LinearizabilityCheckerTest.seeds(10)) {
      FencedResource resource = new FencedResource("resource");
      History history = run(seed, resource, SimulatedLockClients.NEXT_GENERATION);

      LockSafetyResult fromHistory = checker.check(history);
      LockSafetyResult fromLog = checker.check(resource.log());

      assertThat(fromHistory.violations()).as("seed %d", seed).isEmpty();
      assertThat(fromLog.violations()).as("seed %d", seed).isEmpty();
      assertThat(fromHistory.decisions()).isEqualTo(resource.log().size());
      assertThat(fromHistory.grants()).isEqualTo(OVERLAPPING.rounds());
      // the schedule did overlap: stale writes arrived, and were refused
      assertThat(resource.log()).as("seed %d", seed).anyMatch(d -> !d.accepted());
    }
  }

  @Test
  void aResourceThatSkipsSequencerChecksIsCaught() throws IOException {
    for (long seed : LinearizabilityCheckerTest.seeds(10)) {
      FencedResource unchecked = new FencedResource("resource", (newest, presented) -> true);
      History history = run(seed, unchecked, SimulatedLockClients.NEXT_GENERATION);

      LockSafetyResult result = checker.check(history);

      assertThat(result.count()).as("seed %d", seed).isPositive();
      assertThat(result.violations())
          .extracting(LockViolation::kind)
          .containsOnly(Kind.STALE_WRITE_ACCEPTED);
      assertThat(checker.check(unchecked.log()).count()).isEqualTo(result.count());
      assertThat(result.explanation()).contains("two holders overlapped");
    }
  }

  @Test
  void aResourceThatRejectsTheCurrentHoldersLaterWritesIsCaught() throws IOException {
    FenceRule strictlyNewer =
        (newest, presented) ->
            newest == null || FenceOrder.OLDEST_FIRST.compare(presented, newest) > 0;
    FencedResource tooStrict = new FencedResource("resource", strictlyNewer);

    LockSafetyResult result =
        checker.check(run(1, tooStrict, SimulatedLockClients.NEXT_GENERATION));

    assertThat(result.violations())
        .extracting(LockViolation::kind)
        .contains(Kind.CURRENT_SEQUENCER_REJECTED)
        .doesNotContain(Kind.STALE_WRITE_ACCEPTED);
  }

  @Test
  void aLockServiceThatGrantsAGenerationTwiceIsCaughtThoughTheResourceAcceptsBoth()
      throws IOException {
    // every third grant repeats the previous generation: the resource cannot tell the holders apart
    long[] grants = {0};
    LongUnaryOperator reuse = g -> ++grants[0] % 3 == 0 ? g : g + 1;
    FencedResource resource = new FencedResource("resource");

    LockSafetyResult result = checker.check(run(2, resource, reuse));

    assertThat(result.violations())
        .extracting(LockViolation::kind)
        .contains(Kind.GENERATION_GRANTED_TWICE, Kind.TWO_HOLDERS_ONE_GENERATION);
  }

  @Test
  void aLockServiceWhoseGenerationsGoBackIsCaught() throws IOException {
    // after 100 grants the counter restarts, as if a new master had lost it
    long[] grants = {0};
    LongUnaryOperator reset = g -> ++grants[0] == 100 ? 1 : g + 1;

    LockSafetyResult result = checker.check(run(3, new FencedResource("resource"), reset));

    assertThat(result.violations())
        .extracting(LockViolation::kind)
        .contains(Kind.GENERATION_WENT_BACK, Kind.GENERATION_GRANTED_TWICE);
  }

  @Test
  void decisionsAreCheckedInTheResourcesOrderNotTheHistorysOrder() {
    FencedResource resource = new FencedResource("r");
    ResourceDecision first = resource.write(1, FencedResourceTest.sequencer(5), "a");
    ResourceDecision second = resource.write(2, FencedResourceTest.sequencer(4), "b");

    LockSafetyResult result = checker.check(java.util.List.of(second, first));

    assertThat(second.accepted()).isFalse();
    assertThat(result.safe()).isTrue();
  }

  private static History run(long seed, FencedResource resource, LongUnaryOperator generations)
      throws IOException {
    return SimulatedLockClients.run(OVERLAPPING, seed, resource, generations);
  }
}
