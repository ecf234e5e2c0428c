package io.tumbler.client.recipes;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;

/**
 * Proof that its holder held a lock, to send with <em>every</em> request to a resource the lock
 * protects. Holding a lock is not enough to act safely: a holder paused by GC or cut off by the
 * network keeps believing it holds the lock after the cell has given it to someone else. The
 * resource refuses requests whose fence is stale ({@link SequencerChecker}), and only that makes
 * the lock safe.
 *
 * <p>{@link #bytes()} is the lock's sequencer, opaque to resources: pass it on the wire as is and
 * rebuild the fence with {@link #of(ByteString)}.
 */
public record Fence(ByteString bytes, Sequencer sequencer) {

  public Fence {
    checkArgument(bytes != null && sequencer != null, "bytes and sequencer must be set");
  }

  /**
   * The fence in a sequencer's bytes.
   *
   * @throws IllegalArgumentException if they are not a well-formed sequencer
   */
  public static Fence of(ByteString bytes) {
    Sequencer s =
        Sequencer.decode(bytes)
            .orElseThrow(() -> new IllegalArgumentException("not a Tumbler sequencer"));
    return new Fence(bytes, s);
  }

  /** The lock's node name. */
  public String path() {
    return sequencer.path();
  }

  /** The lock's generation when this fence was taken: a later holder's is greater. */
  public long lockGeneration() {
    return sequencer.lockGeneration();
  }

  /** The node instance of the lock (a node created again under the same name has a greater one). */
  public long instanceNumber() {
    return sequencer.instanceNumber();
  }

  public LockMode mode() {
    return sequencer.mode();
  }

  @Override
  public String toString() {
    return "Fence{"
        + path()
        + " #"
        + instanceNumber()
        + " "
        + mode()
        + " generation "
        + lockGeneration()
        + "}";
  }
}
