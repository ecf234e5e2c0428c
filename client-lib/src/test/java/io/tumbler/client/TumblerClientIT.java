package io.tumbler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.TumblerException.BadNameException;
import io.tumbler.client.TumblerException.GenerationMismatchException;
import io.tumbler.client.TumblerException.HandleInvalidException;
import io.tumbler.client.TumblerException.LimitExceededException;
import io.tumbler.client.TumblerException.NodeExistsException;
import io.tumbler.client.TumblerException.NotFoundException;
import io.tumbler.client.transport.CellSession;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.lock.Sequencer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every handle call, the cache and events, through {@link TumblerClient} against a real one-replica
 * cell in this JVM. Each test works under a directory of its own.
 */
class TumblerClientIT {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static EmbeddedCell cell;

  private TumblerClient client;
  private TumblerClient other;
  private String base;

  @BeforeAll
  static void startCell() throws Exception {
    cell = EmbeddedCell.start(1, dir);
  }

  @AfterAll
  static void stopCell() {
    cell.close();
  }

  @BeforeEach
  void connect(TestInfo test) {
    client = TumblerClient.builder().cell(cell.connectString()).build();
    other = TumblerClient.builder().cell(cell.connectString()).build();
    base = "/ls/local/" + test.getTestMethod().orElseThrow().getName();
    client.open(base, OpenOptions.readWrite().directory()).close();
  }

  @AfterEach
  void disconnect() {
    client.close();
    other.close();
  }

  @Test
  void writesAndReadsAFile() {
    try (Handle h = client.open(base + "/f", OpenOptions.readWrite().createIfAbsent())) {
      assertThat(h.created()).isTrue();
      var stat = h.setContents("hello");
      assertThat(stat.contentGeneration()).isPositive();
      NodeContents read = h.getContentsAndStat();
      assertThat(read.text()).isEqualTo("hello");
      assertThat(read.stat()).isEqualTo(stat);
      assertThat(h.getStat().contentLength()).isEqualTo(5);
    }
    try (Handle again = other.open(base + "/f", OpenOptions.read())) {
      assertThat(again.created()).isFalse();
      assertThat(again.getContentsAndStat().text()).isEqualTo("hello");
    }
  }

  @Test
  void compareAndSwapRefusesAStaleGeneration() {
    try (Handle h = client.open(base + "/cas", OpenOptions.readWrite().createIfAbsent())) {
      long generation = h.setContents("one").contentGeneration();
      h.setContents(ByteString.utf8("two"), generation);
      assertThatThrownBy(() -> h.setContents(ByteString.utf8("three"), generation))
          .isInstanceOf(GenerationMismatchException.class)
          .extracting(e -> ((TumblerException) e).code())
          .isEqualTo(ErrorCode.GENERATION_MISMATCH);
      assertThat(h.getContentsAndStat().text()).isEqualTo("two");
    }
  }

  @Test
  void listsADirectoryAndDeletesOnlyEmptyNodes() {
    Handle d = client.open(base + "/d", OpenOptions.readWrite().directory());
    for (String name : List.of("b", "a", "c")) {
      client.open(base + "/d/" + name, OpenOptions.readWrite().createIfAbsent()).close();
    }
    assertThat(d.readDir()).extracting(ChildEntry::name).containsExactly("a", "b", "c");
    assertThat(d.getStat().kind()).isEqualTo(NodeKind.DIRECTORY);
    assertThatThrownBy(d::delete)
        .isInstanceOf(TumblerException.class)
        .extracting(e -> ((TumblerException) e).code())
        .isEqualTo(ErrorCode.NOT_EMPTY);
    for (String name : List.of("a", "b", "c")) {
      client.open(base + "/d/" + name, OpenOptions.readWrite()).delete();
    }
    d.delete();
    assertThatThrownBy(d::getStat).isInstanceOf(HandleInvalidException.class);
    assertThatThrownBy(() -> client.open(base + "/d", OpenOptions.read()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void aHandleIsBoundToOneInstance() {
    Handle first = client.open(base + "/i", OpenOptions.readWrite().createIfAbsent());
    other.open(base + "/i", OpenOptions.readWrite()).delete();
    other.open(base + "/i", OpenOptions.readWrite().createIfAbsent()).close();
    assertThatThrownBy(first::getContentsAndStat).isInstanceOf(HandleInvalidException.class);
  }

  @Test
  void refusesBadInputWithTypedErrors() {
    assertThatThrownBy(() -> client.open("/ls/local/a//b", OpenOptions.read()))
        .isInstanceOf(BadNameException.class);
    assertThatThrownBy(() -> client.open("/nope", OpenOptions.read()))
        .isInstanceOf(BadNameException.class);
    client.open(base + "/x", OpenOptions.readWrite().mustCreate()).close();
    assertThatThrownBy(() -> client.open(base + "/x", OpenOptions.readWrite().mustCreate()))
        .isInstanceOf(NodeExistsException.class);
    try (Handle h = client.open(base + "/x", OpenOptions.readWrite())) {
      assertThatThrownBy(() -> h.setContents(ByteString.wrap(new byte[256 * 1024 + 1])))
          .isInstanceOf(LimitExceededException.class)
          .extracting(e -> ((TumblerException) e).code())
          .isEqualTo(ErrorCode.TOO_LARGE);
      assertThat(h.getContentsAndStat().contents().size()).isZero(); // nothing was lost or kept
    }
    try (Handle readOnly = client.open(base + "/x", OpenOptions.read())) {
      assertThatThrownBy(() -> readOnly.setContents("no"))
          .extracting(e -> ((TumblerException) e).code())
          .isEqualTo(ErrorCode.MODE_NOT_GRANTED);
    }
  }

  @Test
  void aRequestTheCellCannotReadFailsOnceInsteadOfBeingResentForEver() throws Exception {
    try (CellSession raw =
        CellSession.open(
                cell.clientAddresses(), Duration.ofSeconds(45), new CellSession.Listener() {})
            .get(60, TimeUnit.SECONDS)) {
      Result answer =
          raw.call(new Request.SetContents(1, ByteString.wrap(new byte[256 * 1024 + 1]), -1))
              .get(60, TimeUnit.SECONDS);
      assertThat(answer)
          .isInstanceOfSatisfying(
              Result.Failure.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.BAD_ARGUMENT));
      raw.call(new Request.EndSession()).get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPoisonedHandleFailsEveryCall() {
    Handle h = client.open(base + "/p", OpenOptions.readWrite().createIfAbsent());
    h.getContentsAndStat(); // cached: poisoning must still fail the next read
    h.poison();
    assertThatThrownBy(h::getContentsAndStat)
        .isInstanceOf(HandleInvalidException.class)
        .extracting(e -> ((TumblerException) e).code())
        .isEqualTo(ErrorCode.POISONED);
    h.close();
    assertThatThrownBy(h::getStat).isInstanceOf(HandleInvalidException.class);
    h.close(); // never fails
  }

  @Test
  void setAclChangesTheNamesAndTheGeneration() {
    try (Handle h =
        client.open(
            base + "/acl",
            OpenOptions.readWrite()
                .withMode(
                    io.tumbler.lockservice.command.Permission.READ,
                    io.tumbler.lockservice.command.Permission.CHANGE_ACL)
                .createIfAbsent())) {
      long before = h.getStat().aclGeneration();
      h.setAcl(AclNames.all("everyone"));
      assertThat(h.getStat().aclGeneration()).isGreaterThan(before);
      assertThat(h.getStat().acls()).isEqualTo(AclNames.all("everyone"));
    }
  }

  // --- locks and sequencers --------------------------------------------------------------------

  @Test
  void exclusiveLockWaitsForTheHolder() throws Exception {
    Handle mine = client.open(base + "/lock", OpenOptions.lock().createIfAbsent());
    Handle theirs = other.open(base + "/lock", OpenOptions.lock());
    mine.acquire(LockMode.EXCLUSIVE);
    assertThat(theirs.tryAcquire(LockMode.EXCLUSIVE)).isFalse();
    assertThat(theirs.tryAcquire(LockMode.SHARED)).isFalse();
    assertThat(theirs.acquire(LockMode.EXCLUSIVE, Duration.ofMillis(300))).isFalse();

    CompletableFuture<Void> waiting = theirs.acquireAsync(LockMode.EXCLUSIVE);
    assertThat(waiting).isNotDone();
    mine.release();
    waiting.get(60, TimeUnit.SECONDS);
    assertThat(mine.tryAcquire(LockMode.SHARED)).isFalse();
    theirs.release();
    assertThat(mine.tryAcquire(LockMode.SHARED)).isTrue();
    assertThat(theirs.tryAcquire(LockMode.SHARED)).isTrue();
  }

  @Test
  void aSequencerIsValidOnlyWhileTheLockIsHeld() {
    Handle lock = client.open(base + "/seq", OpenOptions.lock().createIfAbsent());
    lock.acquire(LockMode.EXCLUSIVE);
    ByteString sequencer = lock.getSequencer();
    Sequencer decoded = Sequencer.decode(sequencer).orElseThrow();
    assertThat(decoded.path()).isEqualTo(base + "/seq");
    assertThat(decoded.mode()).isEqualTo(LockMode.EXCLUSIVE);
    assertThat(other.checkSequencer(sequencer)).isTrue();

    Handle tied = other.open(base + "/seq", OpenOptions.read());
    tied.setSequencer(sequencer);
    tied.getContentsAndStat();

    lock.release();
    assertThat(other.checkSequencer(sequencer)).isFalse();
    assertThat(other.checkSequencer(ByteString.utf8("made up"))).isFalse();
    assertThatThrownBy(tied::getContentsAndStat)
        .extracting(e -> ((TumblerException) e).code())
        .isEqualTo(ErrorCode.INVALID_SEQUENCER);
    assertThatThrownBy(lock::getSequencer)
        .extracting(e -> ((TumblerException) e).code())
        .isEqualTo(ErrorCode.NOT_HELD);
  }

  @Test
  void closingTheClientReleasesItsLocksAndEphemeralNodes() {
    TumblerClient leaving = TumblerClient.builder().cell(cell.connectString()).build();
    leaving.open(base + "/l", OpenOptions.lock().createIfAbsent()).acquire(LockMode.EXCLUSIVE);
    leaving.open(base + "/eph", OpenOptions.readWrite().ephemeral());
    leaving.close();
    // ended by the client, not expired: no lock-delay
    assertThat(client.open(base + "/l", OpenOptions.lock()).tryAcquire(LockMode.EXCLUSIVE))
        .isTrue();
    assertThatThrownBy(() -> client.open(base + "/eph", OpenOptions.read()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> leaving.open(base + "/l", OpenOptions.read()))
        .isInstanceOf(TumblerException.ClientClosedException.class);
  }

  // --- the cache ----------------------------------------------------------------------------

  @Test
  void readsAreServedFromTheCacheUntilAnotherSessionWrites() {
    Handle writer = other.open(base + "/c", OpenOptions.readWrite().createIfAbsent());
    writer.setContents("v1");
    Handle reader = client.open(base + "/c", OpenOptions.read());
    assertThat(reader.getContentsAndStat().text()).isEqualTo("v1"); // miss, now cached
    CacheStats before = client.cacheStats();
    for (int i = 0; i < 10; i++) {
      assertThat(reader.getContentsAndStat().text()).isEqualTo("v1");
    }
    assertThat(client.cacheStats().hits() - before.hits()).isEqualTo(10);

    writer.setContents("v2"); // returns only once the reader dropped its entry
    assertThat(reader.getContentsAndStat().text()).isEqualTo("v2");
  }

  @Test
  void absenceIsCachedUntilTheNodeIsCreated() {
    String name = base + "/absent";
    assertThatThrownBy(() -> client.open(name, OpenOptions.read()))
        .isInstanceOf(NotFoundException.class);
    long hits = client.cacheStats().hits();
    assertThatThrownBy(() -> client.open(name, OpenOptions.read()))
        .isInstanceOf(NotFoundException.class);
    assertThat(client.cacheStats().hits()).isEqualTo(hits + 1);

    other.open(name, OpenOptions.readWrite().createIfAbsent()).close();
    try (Handle found = client.open(name, OpenOptions.read())) {
      assertThat(found.created()).isFalse();
    }
  }

  @Test
  void ownWritesAreReadBack() {
    Handle h = client.open(base + "/own", OpenOptions.readWrite().createIfAbsent());
    for (int i = 0; i < 20; i++) {
      h.getContentsAndStat();
      h.setContents("v" + i);
      assertThat(h.getContentsAndStat().text()).isEqualTo("v" + i);
    }
  }

  // --- events -------------------------------------------------------------------------------

  @Test
  void eventsReachTheHandleListenerOffTheNetworkThreads() {
    List<Event> seen = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    HandleListener listener =
        event -> {
          seen.add(event);
          threads.add(Thread.currentThread().getName());
        };
    client.open(base + "/e", OpenOptions.readWrite().createIfAbsent()).close();
    Handle watched =
        client.open(
            base + "/e",
            OpenOptions.read()
                .events(EventKind.CONTENTS_MODIFIED, EventKind.CONFLICTING_LOCK_REQUEST)
                .listener(listener));
    Handle dirWatch =
        client.open(base, OpenOptions.read().events(EventKind.CHILD_CHANGED).listener(listener));

    Handle writer = other.open(base + "/e", OpenOptions.lock());
    writer.setContents("changed");
    other.open(base + "/new", OpenOptions.readWrite().createIfAbsent()).close();
    await()
        .atMost(DEADLINE)
        .untilAsserted(
            () ->
                assertThat(seen)
                    .anySatisfy(e -> assertThat(e).isInstanceOf(Event.ContentsModified.class))
                    .anySatisfy(e -> assertThat(e).isInstanceOf(Event.ChildChanged.class)));

    writer.delete();
    await()
        .atMost(DEADLINE)
        .untilAsserted(
            () ->
                assertThat(seen)
                    .anySatisfy(e -> assertThat(e).isInstanceOf(Event.HandleInvalid.class)));
    assertThatThrownBy(watched::getContentsAndStat).isInstanceOf(HandleInvalidException.class);
    assertThat(threads).allMatch(t -> t.equals("tumbler-events"));
    dirWatch.close();
  }

  @Test
  void aHolderHearsOfAConflictingRequest() {
    AtomicInteger conflicts = new AtomicInteger();
    Handle holder =
        client.open(
            base + "/cl",
            OpenOptions.lock()
                .createIfAbsent()
                .events(EventKind.CONFLICTING_LOCK_REQUEST)
                .listener(
                    e -> {
                      if (e instanceof Event.ConflictingLockRequest) {
                        conflicts.incrementAndGet();
                      }
                    }));
    holder.acquire(LockMode.EXCLUSIVE);
    CompletableFuture<Void> waiter =
        other.open(base + "/cl", OpenOptions.lock()).acquireAsync(LockMode.EXCLUSIVE);
    await().atMost(DEADLINE).until(() -> conflicts.get() > 0);
    holder.release(); // a caching holder lets go when asked
    waiter.join();
  }
}
