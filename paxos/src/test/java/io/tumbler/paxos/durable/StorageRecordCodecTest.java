package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.paxos.AcceptedEntry;
import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.Command;
import io.tumbler.paxos.SnapshotRef;
import io.tumbler.paxos.Value;
import io.tumbler.paxos.storage.StorageRecord;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StorageRecordCodecTest {

  private static final AcceptedEntry ENTRY =
      new AcceptedEntry(
          42,
          new Ballot(3, 2),
          new Value(List.of(new Command(new byte[] {1, 2, 3}), new Command(new byte[0]))));

  @Test
  void everyRecordTypeRoundTrips() {
    List<StorageRecord> records =
        List.of(
            new StorageRecord.PromiseRecord(new Ballot(9, 4)),
            new StorageRecord.BallotRecord(new Ballot(10, 1)),
            new StorageRecord.AcceptRecord(ENTRY),
            new StorageRecord.AcceptRecord(new AcceptedEntry(7, new Ballot(1, 0), Value.NOOP)));
    for (StorageRecord record : records) {
      assertThat(StorageRecordCodec.decode(StorageRecordCodec.encode(record)))
          .isEqualTo(new StorageRecordCodec.Acceptor(record));
    }
    assertThat(StorageRecordCodec.decode(StorageRecordCodec.encodeSnapshotTaken(77)))
        .isEqualTo(new StorageRecordCodec.SnapshotTaken(77));
  }

  @Test
  void everyTruncationIsRefused() {
    byte[] bytes = StorageRecordCodec.encode(new StorageRecord.AcceptRecord(ENTRY));
    for (int length = 0; length < bytes.length; length++) {
      byte[] truncated = Arrays.copyOf(bytes, length);
      assertThatThrownBy(() -> StorageRecordCodec.decode(truncated))
          .as("truncated to %d", length)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void impossibleLengthsAreRefusedBeforeAllocating() {
    byte[] hugeCount =
        ByteBuffer.allocate(1 + 8 + 8 + 4 + 4)
            .put((byte) 3)
            .putLong(1)
            .putLong(1)
            .putInt(1)
            .putInt(Integer.MAX_VALUE)
            .array();
    assertThatThrownBy(() -> StorageRecordCodec.decode(hugeCount))
        .hasMessageContaining("impossible command count");
    byte[] hugeLength =
        ByteBuffer.allocate(1 + 8 + 8 + 4 + 4 + 4)
            .put((byte) 3)
            .putLong(1)
            .putLong(1)
            .putInt(1)
            .putInt(1)
            .putInt(Integer.MAX_VALUE)
            .array();
    assertThatThrownBy(() -> StorageRecordCodec.decode(hugeLength))
        .hasMessageContaining("impossible command length");
    assertThatThrownBy(() -> StorageRecordCodec.decode(new byte[] {99}))
        .hasMessageContaining("unknown log record type 99");
    byte[] trailing = Arrays.copyOf(StorageRecordCodec.encodeSnapshotTaken(1), 10);
    assertThatThrownBy(() -> StorageRecordCodec.decode(trailing)).hasMessageContaining("left over");
  }

  @Test
  void snapshotsAreNotLogRecords() {
    SnapshotRef snapshot = new SnapshotRef(1, 0, 0);
    for (StorageRecord record :
        List.of(
            new StorageRecord.SnapshotTaken(snapshot, Set.of()),
            new StorageRecord.IncomingSnapshotChunk(1, 0, new byte[3]),
            new StorageRecord.IncomingSnapshotComplete(snapshot, Set.of()),
            new StorageRecord.IncomingSnapshotDiscarded(1))) {
      assertThatThrownBy(() -> StorageRecordCodec.encode(record))
          .as("%s", record)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
