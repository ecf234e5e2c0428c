package io.tumbler.client.recipes;

import static io.tumbler.client.recipes.RecipeCells.DEADLINE;
import static io.tumbler.client.recipes.RecipeCells.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException.InvalidSequencerException;
import io.tumbler.lockservice.command.LockMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fenced lock against a real cell: fences, their checks, and a holder that dies. */
class FencedLockIT {

  @TempDir static Path dir;
  private static EmbeddedCell cell;

  @BeforeAll
  static void startCell() throws Exception {
    cell = RecipeCells.start(dir.resolve("shared"));
  }

  @AfterAll
  static void stopCell() {
    if (cell != null) {
      cell.close();
    }
  }

  @Test
  void aFenceIsAcceptedUntilTheNextHolderTakesTheLock() {
    String path = "/ls/local/fenced-release";
    try (TumblerClient a = client(cell);
        TumblerClient b = client(cell);
        TumblerClient server = client(cell);
        FencedLock la = FencedLock.open(a, path);
        FencedLock lb = FencedLock.open(b, path)) {
      SequencerChecker viaCell = SequencerChecker.viaCell(server);
      SequencerChecker monotonic = SequencerChecker.monotonic();

      Fence first = la.acquire();
      assertThat(first.path()).isEqualTo(path);
      assertThat(first.mode()).isEqualTo(LockMode.EXCLUSIVE);
      viaCell.check(path, first.bytes());
      monotonic.check(path, first.bytes());
      assertThat(lb.tryAcquire(LockMode.EXCLUSIVE)).isEmpty();

      la.release();
      assertThatThrownBy(() -> viaCell.check(path, first.bytes()))
          .as("released: the cell refuses it at once")
          .isInstanceOf(InvalidSequencerException.class);
      Fence second = lb.acquire(LockMode.EXCLUSIVE, DEADLINE).orElseThrow();
      assertThat(second.lockGeneration()).isGreaterThan(first.lockGeneration());
      viaCell.check(path, second.bytes());
      monotonic.check(path, second.bytes());
      assertThatThrownBy(() -> monotonic.check(path, first.bytes()))
          .as("a newer holder has been here")
          .isInstanceOf(InvalidSequencerException.class);
    }
  }

  @Test
  void sharedHoldersEachGetAFenceOfTheSameGeneration() {
    String path = "/ls/local/fenced-shared";
    try (TumblerClient a = client(cell);
        TumblerClient b = client(cell);
        FencedLock la = FencedLock.open(a, path);
        FencedLock lb = FencedLock.open(b, path)) {
      Fence fa = la.acquire(LockMode.SHARED);
      Fence fb = lb.tryAcquire(LockMode.SHARED).orElseThrow();
      assertThat(fb.lockGeneration()).isEqualTo(fa.lockGeneration());
      SequencerChecker.viaCell(a).check(path, fb.bytes());
    }
  }

  @Test
  void aCrashedHoldersLockIsFreeOnlyAfterItsSessionAndLockDelayRunOut() {
    String path = "/ls/local/fenced-crash";
    Duration lockDelay = Duration.ofSeconds(2);
    TumblerClient a = client(cell);
    try (TumblerClient b = client(cell);
        FencedLock lb = FencedLock.open(b, path)) {
      Fence old = FencedLock.open(a, path, lockDelay).acquire();
      long crashedAt = System.nanoTime();
      CrashedClient.crash(a);

      Fence next = lb.acquire(LockMode.EXCLUSIVE, DEADLINE).orElseThrow();
      assertThat(Duration.ofNanos(System.nanoTime() - crashedAt))
          .as("not before the lock-delay, which starts when the session expires")
          .isGreaterThanOrEqualTo(lockDelay);
      assertThat(b.checkSequencer(old.bytes())).isFalse();
      assertThat(next.lockGeneration()).isGreaterThan(old.lockGeneration());
    }
  }

  /** A lock-delay of zero means none, not the cell's default of 60 s (a core fix). */
  @Test
  void aZeroLockDelayFreesACrashedHoldersLockWhenItsSessionExpires() {
    String path = "/ls/local/fenced-zero-delay";
    TumblerClient a = client(cell);
    try (TumblerClient b = client(cell);
        FencedLock lb = FencedLock.open(b, path)) {
      FencedLock.open(a, path, Duration.ZERO).acquire();
      CrashedClient.crash(a);
      // Well under the 60 s the cell would otherwise impose, well over the 3 s lease.
      Optional<Fence> next = lb.acquire(LockMode.EXCLUSIVE, Duration.ofSeconds(40));
      assertThat(next).isPresent();
    }
  }
}
