package io.tumbler.paxos.durable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.paxos.Ballot;
import io.tumbler.paxos.SnapshotRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotStoreTest {

  private static final byte[] METADATA = "ballot=7.2 epoch=7".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  private static byte[] randomBytes(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private StoredSnapshot writeSnapshot(SnapshotStore store, long index, byte[] body)
      throws IOException {
    try (SnapshotWriter writer = store.begin(index, METADATA)) {
      // In uneven chunks, the way an install from the master arrives.
      int offset = 0;
      int chunk = 1;
      while (offset < body.length) {
        int length = Math.min(chunk, body.length - offset);
        writer.write(ByteBuffer.wrap(body, offset, length));
        offset += length;
        chunk = chunk * 3 + 1;
      }
      return writer.commit();
    }
  }

  private static byte[] readBody(StoredSnapshot snapshot) throws IOException {
    try (InputStream in = snapshot.openBody()) {
      return in.readAllBytes();
    }
  }

  @Test
  void committedSnapshotReadsBackExactly() throws IOException {
    SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
    byte[] body = randomBytes(new Random(1), 200_000);

    StoredSnapshot written = writeSnapshot(store, 1234, body);
    SnapshotStore.Scan scan = new SnapshotStore(dir.resolve("snapshots")).scan();

    assertThat(written.file().getFileName()).hasToString("snapshot-00000000000000001234.snap");
    assertThat(scan.rejected()).isEmpty();
    StoredSnapshot found = scan.newest().orElseThrow();
    assertThat(found.index()).isEqualTo(1234);
    assertThat(found.metadata()).isEqualTo(METADATA);
    assertThat(found.bodyLength()).isEqualTo(body.length);
    assertThat(readBody(found)).isEqualTo(body);
  }

  @Test
  void stateMachineCanStreamThroughAnOutputStream() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    Random random = new Random(2);
    byte[] body = randomBytes(random, 3 * 1024 * 1024 + 17);

    StoredSnapshot written;
    try (SnapshotWriter writer = store.begin(9, new byte[0])) {
      try (OutputStream out = writer.asOutputStream()) {
        for (int i = 0; i < body.length; i += 1000) {
          out.write(body, i, Math.min(1000, body.length - i));
        }
      }
      written = writer.commit();
    }

    assertThat(readBody(store.open(written.file()))).isEqualTo(body);
    assertThat(written.metadata()).isEmpty();
  }

  @Test
  void snapshotNotCommittedLeavesNothingBehind() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    try (SnapshotWriter writer = store.begin(5, METADATA)) {
      writer.write(new byte[100], 0, 100);
    }

    assertThat(store.scan().newest()).isEmpty();
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void temporaryFileLeftByACrashIsDeletedNotLoaded() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    writeSnapshot(store, 3, new byte[] {1, 2, 3});
    Path leftover = dir.resolve("snapshot-00000000000000000009.snap.tmp");
    Files.write(leftover, new byte[] {42});

    SnapshotStore.Scan scan = store.scan();

    assertThat(scan.newest().orElseThrow().index()).isEqualTo(3);
    assertThat(leftover).doesNotExist();
  }

  @Test
  void corruptNewestSnapshotIsReportedAndAnOlderOneOffered() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    writeSnapshot(store, 10, randomBytes(new Random(3), 1000));
    StoredSnapshot newest = writeSnapshot(store, 20, randomBytes(new Random(4), 1000));
    flipByte(newest.file(), 100);

    SnapshotStore.Scan scan = store.scan();

    assertThat(scan.newest().orElseThrow().index()).isEqualTo(10);
    assertThat(scan.rejected())
        .singleElement()
        .asString()
        .contains("snapshot-00000000000000000020.snap")
        .contains("body checksum mismatch");
  }

  @Test
  void everySingleByteFlipIsDetected() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    byte[] body = randomBytes(new Random(5), 300);
    StoredSnapshot snapshot = writeSnapshot(store, 77, body);
    byte[] original = Files.readAllBytes(snapshot.file());

    // Header, metadata, header CRC, body, trailer: every position.
    for (int position = 0; position < original.length; position++) {
      Files.write(snapshot.file(), original);
      flipByte(snapshot.file(), position);
      int at = position;
      assertThatThrownBy(() -> store.open(snapshot.file()))
          .as("flip at byte %d of %d", at, original.length)
          .isInstanceOf(CorruptSnapshotException.class);
    }
  }

  @Test
  void randomCorruptionAndTruncationAreNeverLoaded() throws IOException {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    SnapshotStore store = new SnapshotStore(dir);
    for (int round = 0; round < 200; round++) {
      byte[] body = randomBytes(random, random.nextInt(5000));
      StoredSnapshot snapshot = writeSnapshot(store, round, body);
      byte[] bytes = Files.readAllBytes(snapshot.file());
      if (random.nextBoolean()) {
        int position = random.nextInt(bytes.length);
        bytes[position] ^= (byte) (1 + random.nextInt(255));
      } else {
        bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length));
      }
      Files.write(snapshot.file(), bytes);
      assertThatThrownBy(() -> store.open(snapshot.file()))
          .as("seed %d round %d", seed, round)
          .isInstanceOf(CorruptSnapshotException.class);
    }
  }

  @Test
  void bodyChangedAfterOpenFailsAtTheEndOfTheRead() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    StoredSnapshot snapshot = writeSnapshot(store, 1, randomBytes(new Random(6), 10_000));
    StoredSnapshot opened = store.open(snapshot.file());
    flipByte(snapshot.file(), (int) Files.size(snapshot.file()) - 100);

    assertThatThrownBy(() -> readBody(opened))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("body checksum mismatch");
  }

  @Test
  void fileRenamedToAnotherIndexIsRefused() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    StoredSnapshot snapshot = writeSnapshot(store, 4, new byte[] {1});
    Path renamed = dir.resolve("snapshot-00000000000000000005.snap");
    Files.move(snapshot.file(), renamed);

    assertThatThrownBy(() -> store.open(renamed))
        .isInstanceOf(CorruptSnapshotException.class)
        .hasMessageContaining("header says index 4");
  }

  @Test
  void deleteOlderThanKeepsTheNewestTheKeptAndEverythingNewerOrTemporary() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    for (long index : new long[] {1, 3, 5, 9, 12}) {
      writeSnapshot(store, index, new byte[] {(byte) index});
    }
    Files.writeString(dir.resolve("README"), "not a snapshot");
    Files.write(dir.resolve("snapshot-00000000000000000002.snap.incoming.tmp"), new byte[] {1});

    store.deleteOlderThan(9, Set.of(3L));

    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(
              "snapshot-00000000000000000003.snap",
              "snapshot-00000000000000000009.snap",
              "snapshot-00000000000000000012.snap",
              "snapshot-00000000000000000002.snap.incoming.tmp",
              "README");
    }
  }

  @Test
  void snapshotFilesWriteReadChunksAndStreamBack() throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    byte[] body = randomBytes(new Random(7), 100_000);

    SnapshotRef ref = store.write(42, new Ballot(3, 1), out -> out.write(body));

    CRC32C crc = new CRC32C();
    crc.update(body);
    assertThat(ref).isEqualTo(new SnapshotRef(42, body.length, (int) crc.getValue()));
    assertThat(store.read(ref, 1000, 500).orElseThrow())
        .isEqualTo(Arrays.copyOfRange(body, 1000, 1500));
    try (InputStream in = store.open(ref)) {
      assertThat(in.readAllBytes()).isEqualTo(body);
    }
    // Another snapshot under the same index is not the one asked for.
    SnapshotRef other = new SnapshotRef(42, body.length, ref.checksum() + 1);
    assertThat(store.read(other, 0, 10)).isEmpty();
    assertThatThrownBy(() -> store.open(other)).isInstanceOf(CorruptSnapshotException.class);
    assertThat(store.read(new SnapshotRef(43, 1, 0), 0, 1)).isEmpty();
    assertThatThrownBy(() -> store.open(new SnapshotRef(43, 1, 0)))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void incomingSnapshotHasItsOwnTemporaryNameAndIsRefusedIfItDiffersFromTheAnnounced()
      throws IOException {
    SnapshotStore store = new SnapshotStore(dir);
    byte[] body = randomBytes(new Random(8), 1000);
    CRC32C crc = new CRC32C();
    crc.update(body);
    SnapshotRef announced = new SnapshotRef(7, body.length, (int) crc.getValue());

    try (SnapshotWriter writer = store.beginIncoming(7, METADATA)) {
      writer.write(body, 0, 600);
      assertThat(dir.resolve("snapshot-00000000000000000007.snap.incoming.tmp")).exists();
      byte[] damaged = Arrays.copyOfRange(body, 600, 1000);
      damaged[17] ^= 1;
      writer.write(damaged, 0, damaged.length);
      assertThatThrownBy(() -> writer.commitExpecting(announced))
          .isInstanceOf(CorruptSnapshotException.class)
          .hasMessageContaining("does not match");
    }
    try (var files = Files.list(dir)) {
      assertThat(files).as("nothing committed, nothing left").isEmpty();
    }

    try (SnapshotWriter writer = store.beginIncoming(7, METADATA)) {
      writer.write(body, 0, body.length);
      assertThat(writer.commitExpecting(announced).ref()).isEqualTo(announced);
    }
    assertThat(store.scan().newest().orElseThrow().ref()).isEqualTo(announced);
  }

  @Test
  void oversizedMetadataIsRefusedBeforeAnythingIsWritten() {
    assertThatThrownBy(() -> new SnapshotStore(dir).begin(1, new byte[64 * 1024 + 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("more than the limit");
  }

  private static void flipByte(Path file, int position) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[position] ^= (byte) 0x5a;
    Files.write(file, bytes);
  }
}
