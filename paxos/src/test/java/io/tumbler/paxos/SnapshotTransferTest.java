package io.tumbler.paxos;

import static io.tumbler.paxos.TestCell.MS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.message.Message;
import io.tumbler.paxos.storage.StorageRecord;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica too far behind fetches the master's snapshot in chunks: the master's driver reads them
 * from its stored snapshot, the receiver's driver writes them to storage, and the core only ever
 * sees references and one chunk at a time.
 */
class SnapshotTransferTest {

  private static final int CHUNK_BYTES = 8;
  private static final int CHUNKS_PER_REQUEST = 2;
  private static final int SNAPSHOT_BYTES = 200; // 25 chunks, 13 windows
  private static final int HALF = 12 * CHUNK_BYTES;

  private TestCell cell;
  private Replica master;
  private int lagging;
  private byte[] body;

  private static PaxosConfig config() {
    return PaxosConfig.builder(Membership.ofSize(3))
        .leaseDurationNanos(1000 * MS)
        .clockDriftPpm(1000)
        .heartbeatIntervalNanos(100 * MS)
        .electionTimeoutNanos(300 * MS)
        .electionJitterMaxNanos(100 * MS)
        .resendIntervalNanos(50 * MS)
        .catchUpRetryNanos(50 * MS)
        .maxBatchBytes(64)
        .maxCommandBytes(16)
        .snapshotChunkBytes(CHUNK_BYTES)
        .snapshotChunksPerRequest(CHUNKS_PER_REQUEST)
        .logRetentionSlots(0)
        .build();
  }

  /**
   * Elects a master, lets ten slots be chosen while one follower hears nothing, and has the master
   * snapshot them: the follower can only catch up from that snapshot.
   */
  @BeforeEach
  void masterSnapshotsWhileAFollowerIsCutOff() {
    cell = new TestCell(config());
    cell.advanceAllTo(2000 * MS);
    master = cell.leader();
    assertThat(master).isNotNull();
    lagging = (master.id() + 1) % 3;
    cell.network = e -> e.to() == lagging || e.from() == lagging ? null : e;
    cell.choose(10);
    body = new byte[SNAPSHOT_BYTES];
    new Random(42).nextBytes(body);
    cell.takeSnapshot(master.id(), body);
    assertThat(master.snapshotIndex()).isGreaterThanOrEqualTo(10);
  }

  private SnapshotRef masterSnapshot() {
    return master.snapshot().orElseThrow();
  }

  private Replica lagging() {
    return cell.replicas.get(lagging);
  }

  private boolean isChunk(Envelope e) {
    return e.message() instanceof Message.SnapshotChunk;
  }

  @Test
  void aSnapshotOfManyChunksIsInstalledWithoutTheCoreEverHoldingIt() {
    cell.network = e -> e;
    int stepsBefore = cell.steps.size();
    cell.advanceAllTo(cell.now + 1000 * MS);

    SnapshotRef ref = masterSnapshot();
    assertThat(lagging().snapshotIndex()).isEqualTo(ref.index());
    assertThat(lagging().appliedIndex()).isGreaterThanOrEqualTo(ref.index());
    assertThat(cell.installed.get(lagging)).containsExactly(ref);
    assertThat(cell.installedBodies.get(ref)).isEqualTo(body);

    // What the cores asked for during the transfer: chunks named by position on the sending side,
    // at most one chunk's bytes per step on the receiving side, and the install by reference.
    List<TestCell.Step> steps = cell.steps.subList(stepsBefore, cell.steps.size());
    long chunkSends = 0;
    long chunksStored = 0;
    for (TestCell.Step step : steps) {
      Outputs outputs = step.outputs();
      assertThat(outputs.snapshotChunksToSend().size()).isLessThanOrEqualTo(CHUNKS_PER_REQUEST);
      for (SnapshotChunkSend send : outputs.snapshotChunksToSend()) {
        assertThat(send.snapshot()).isEqualTo(ref);
        assertThat(send.length()).isLessThanOrEqualTo(CHUNK_BYTES);
        chunkSends++;
      }
      long bytesThisStep = 0;
      if (outputs.persist().isPresent()) {
        for (StorageRecord record : outputs.persist().get().records()) {
          if (record instanceof StorageRecord.IncomingSnapshotChunk chunk) {
            bytesThisStep += chunk.bytes().length;
            chunksStored++;
          }
        }
      }
      assertThat(bytesThisStep).isLessThanOrEqualTo(CHUNK_BYTES);
      for (Envelope e : outputs.messages()) {
        assertThat(e.message()).isNotInstanceOf(Message.SnapshotChunk.class);
      }
    }
    assertThat(chunkSends).isGreaterThanOrEqualTo(SNAPSHOT_BYTES / CHUNK_BYTES);
    assertThat(chunksStored).isEqualTo((SNAPSHOT_BYTES + CHUNK_BYTES - 1) / CHUNK_BYTES);
  }

  @Test
  void theCoreKeepsNoSnapshotBytesInItsFields() {
    for (Field field : Replica.class.getDeclaredFields()) {
      assertThat(field.getType()).as(field.getName()).isNotEqualTo(byte[].class);
    }
  }

  @Test
  void theNextWindowIsAskedForOnlyOnceStorageTookTheLast() {
    cell.heldDisks.add(lagging);
    cell.network = e -> e;
    Predicate<Envelope> chunkRequest =
        e -> e.from() == lagging && e.message() instanceof Message.SnapshotChunkRequest;
    List<Envelope> requests = new java.util.ArrayList<>();
    cell.network =
        e -> {
          if (chunkRequest.test(e)) {
            requests.add(e);
          }
          return e;
        };
    // Long enough for many catch-up retries: one window arrives, then nothing is asked for.
    cell.advanceAllTo(cell.now + 500 * MS);
    assertThat(requests).hasSize(1);
    assertThat(cell.storages.get(lagging).incomingSnapshotBytes())
        .isEqualTo((long) CHUNK_BYTES * CHUNKS_PER_REQUEST);

    cell.releaseDisk(lagging);
    cell.deliverAll();
    assertThat(requests).hasSize(2);
    assertThat(((Message.SnapshotChunkRequest) requests.get(1).message()).offset())
        .isEqualTo(CHUNK_BYTES * CHUNKS_PER_REQUEST);
  }

  @Test
  void aCrashMidTransferLeavesTheOldSnapshotAndStateAndTheTransferStartsOver() {
    // Everyone, the lagging replica included, first shares an older snapshot.
    cell.network = e -> e;
    cell.advanceAllTo(cell.now + 1000 * MS);
    byte[] oldBody = body;
    SnapshotRef old = cell.takeSnapshot(lagging, oldBody);
    long oldIndex = lagging().appliedIndex();

    // Cut off again while more is chosen and snapshotted; then let only half of the next
    // snapshot through before the lagging replica crashes.
    cell.network = e -> e.to() == lagging || e.from() == lagging ? null : e;
    cell.choose(10);
    body = new byte[SNAPSHOT_BYTES];
    new Random(43).nextBytes(body);
    SnapshotRef newer = cell.takeSnapshot(master.id(), body);
    cell.network =
        e -> isChunk(e) && ((Message.SnapshotChunk) e.message()).offset() >= HALF ? null : e;
    cell.advanceAllTo(cell.now + 300 * MS);
    assertThat(lagging().receivingSnapshotIndex()).isEqualTo(newer.index());
    assertThat(cell.storages.get(lagging).incomingSnapshotBytes()).isEqualTo(HALF);

    Replica restarted = cell.crashAndRestart(lagging);

    assertThat(cell.storages.get(lagging).incomingSnapshotBytes()).isEqualTo(-1);
    assertThat(cell.storages.get(lagging).load().snapshot()).contains(old);
    assertThat(restarted.snapshotIndex()).isEqualTo(oldIndex);
    assertThat(restarted.appliedIndex()).isEqualTo(oldIndex);
    assertThat(cell.installed.get(lagging)).doesNotContain(newer);

    cell.network = e -> e;
    cell.advanceAllTo(cell.now + 1500 * MS);
    assertThat(lagging().snapshotIndex()).isEqualTo(newer.index());
    assertThat(cell.installedBodies.get(newer)).isEqualTo(body);
  }

  @Test
  void aDamagedChunkMakesTheReceiverRefuseTheSnapshotAndFetchItAgain() {
    AtomicBoolean damaged = new AtomicBoolean();
    cell.network =
        e -> {
          if (isChunk(e)
              && ((Message.SnapshotChunk) e.message()).offset() == 5 * CHUNK_BYTES
              && !damaged.getAndSet(true)) {
            Message.SnapshotChunk chunk = (Message.SnapshotChunk) e.message();
            byte[] bytes = chunk.bytes().clone();
            bytes[3] ^= 0x40;
            return new Envelope(
                e.from(),
                e.to(),
                new Message.SnapshotChunk(
                    chunk.snapshotIndex(),
                    chunk.offset(),
                    bytes,
                    chunk.totalBytes(),
                    chunk.checksum()));
          }
          return e;
        };
    int stepsBefore = cell.steps.size();
    cell.advanceAllTo(cell.now + 1500 * MS);

    SnapshotRef ref = masterSnapshot();
    assertThat(damaged).isTrue();
    assertThat(lagging().snapshotsRefused()).isEqualTo(1);
    // Refused at the end: the incoming snapshot was discarded, not completed, before the retry.
    List<StorageRecord> laggingRecords =
        cell.steps.subList(stepsBefore, cell.steps.size()).stream()
            .filter(step -> step.replica() == lagging && step.outputs().persist().isPresent())
            .flatMap(step -> step.outputs().persist().get().records().stream())
            .filter(
                r ->
                    r instanceof StorageRecord.IncomingSnapshotDiscarded
                        || r instanceof StorageRecord.IncomingSnapshotComplete)
            .toList();
    assertThat(laggingRecords)
        .containsExactly(
            new StorageRecord.IncomingSnapshotDiscarded(ref.index()),
            new StorageRecord.IncomingSnapshotComplete(ref, java.util.Set.of()));
    assertThat(cell.installed.get(lagging)).containsExactly(ref);
    assertThat(cell.installedBodies.get(ref)).isEqualTo(body);
  }

  @Test
  void aTransferStaysOnItsSnapshotWhileNewerOnesAreTakenAndStorageKeepsIt() {
    cell.network = e -> e;
    SnapshotRef pinned = masterSnapshot();
    // Deliver one window at a time; between windows the master takes two newer snapshots.
    cell.heldDisks.add(lagging);
    cell.advanceAllTo(cell.now + 20 * MS);
    assertThat(lagging().receivingSnapshotIndex()).isEqualTo(pinned.index());
    cell.network = e -> e.to() == lagging || e.from() == lagging ? null : e;
    for (int i = 0; i < 2; i++) {
      cell.choose(3);
      byte[] newer = Arrays.copyOf(body, body.length);
      newer[0] = (byte) i;
      cell.takeSnapshot(master.id(), newer);
    }
    assertThat(cell.storages.get(master.id()).snapshotIndexes()).contains(pinned.index());
    cell.network = e -> e;
    cell.heldDisks.clear();
    cell.releaseDisk(lagging);
    cell.advanceAllTo(cell.now + 1000 * MS);

    assertThat(cell.installed.get(lagging)).first().isEqualTo(pinned);
    assertThat(cell.installedBodies.get(pinned)).isEqualTo(body);
    assertThat(lagging().appliedIndex()).isEqualTo(master.appliedIndex());
  }

  @Test
  void aSnapshotTheDriverCannotReadRestartsTheTransferOnTheNewest() {
    Replica sender = master;
    SnapshotRef first = masterSnapshot();
    Outputs served =
        sender.onMessage(
            cell.now, new Envelope(lagging, sender.id(), new Message.SnapshotChunkRequest(1, 0)));
    assertThat(served.snapshotChunksToSend())
        .extracting(SnapshotChunkSend::snapshot)
        .containsOnly(first);

    // Newer snapshot taken; then the driver reports the pinned one gone.
    cell.network = e -> e.to() == lagging || e.from() == lagging ? null : e;
    cell.choose(3);
    SnapshotRef newer = cell.takeSnapshot(sender.id(), body);
    Outputs again =
        sender.onMessage(
            cell.now,
            new Envelope(
                lagging,
                sender.id(),
                new Message.SnapshotChunkRequest(first.index(), 2L * CHUNK_BYTES)));
    assertThat(again.snapshotChunksToSend())
        .extracting(SnapshotChunkSend::snapshot)
        .containsOnly(first);
    sender.onSnapshotUnavailable(cell.now, first.index());
    Outputs restarted =
        sender.onMessage(
            cell.now,
            new Envelope(
                lagging,
                sender.id(),
                new Message.SnapshotChunkRequest(first.index(), 4L * CHUNK_BYTES)));
    assertThat(restarted.snapshotChunksToSend())
        .first()
        .satisfies(
            send -> {
              assertThat(send.snapshot()).isEqualTo(newer);
              assertThat(send.offset()).isZero();
            });
  }
}
