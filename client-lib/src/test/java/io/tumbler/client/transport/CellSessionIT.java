package io.tumbler.client.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sessions against a real three-replica cell in this JVM: the master's serving, KeepAlive, cache
 * invalidation, expiry and failover, seen from a client. Waits are on conditions with generous
 * deadlines: CI is a loaded two-core machine.
 */
class CellSessionIT {

  /** Short leases keep expiry tests quick; the rules are the same at any length. */
  private static final long SESSION_LEASE_MS = 3_000;

  /**
   * Small snapshots and little retained log, so that a replica that was down catches up through a
   * snapshot rather than through entries.
   */
  private static final String SETTINGS =
      "sessions: {sessionLeaseMs: "
          + SESSION_LEASE_MS
          + ", keepAliveAnswerAheadMs: 1000}\n"
          + "snapshotEverySlots: 100\n"
          + "paxos: {logRetentionSlots: 20}\n"
          + "log: {maxRecordsPerSegment: 64}\n";

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dir;
  private ProcessCell cell;

  @BeforeEach
  void startCell() throws Exception {
    cell = new ProcessCell(dir, 3, SETTINGS);
    cell.startAll();
    cell.awaitMaster(DEADLINE);
  }

  @AfterEach
  void stopCell() {
    cell.close();
  }

  private CellSession session(CellSession.Listener listener) throws Exception {
    return CellSession.open(cell.clientAddresses(), Duration.ofSeconds(45), listener)
        .get(60, TimeUnit.SECONDS);
  }

  private static Result call(CellSession s, Request r) throws Exception {
    return s.call(r).get(60, TimeUnit.SECONDS);
  }

  private static Request.Open open(String name, CreateOptions create, long lockDelayMs) {
    return new Request.Open(
        "/ls/local/" + name,
        EnumSet.of(Permission.READ, Permission.WRITE, Permission.LOCK),
        EnumSet.allOf(EventKind.class),
        lockDelayMs,
        create);
  }

  private static long handle(Result opened) {
    assertThat(opened).isInstanceOf(Result.Opened.class);
    return ((Result.Opened) opened).handle();
  }

  @Test
  void aWriteIsReadBackThroughTheMaster() throws Exception {
    try (CellSession s = session(new CellSession.Listener() {})) {
      long h = handle(call(s, open("greeting", CreateOptions.file(false, ByteString.EMPTY), 0)));
      assertThat(call(s, new Request.SetContents(h, ByteString.utf8("hello"), -1)).ok()).isTrue();
      Result read = call(s, new Request.GetContentsAndStat(h));
      assertThat(((Result.Contents) read).contents()).isEqualTo(ByteString.utf8("hello"));
    }
  }

  @Test
  void aCachingReaderIsInvalidatedBeforeTheWriteCompletes() throws Exception {
    ConcurrentLinkedQueue<String> order = new ConcurrentLinkedQueue<>();
    CellSession.Listener reader =
        new CellSession.Listener() {
          @Override
          public void onInvalidations(List<Message.Invalidation> invalidations) {
            invalidations.forEach(i -> order.add("invalidated " + i.path()));
          }
        };
    try (CellSession r = session(reader);
        CellSession w = session(new CellSession.Listener() {})) {
      long rh = handle(call(r, open("cfg", CreateOptions.file(false, ByteString.utf8("v1")), 0)));
      long wh = handle(call(w, open("cfg", CreateOptions.NONE, 0)));
      Result cached = call(r, new Request.GetContentsAndStat(rh));
      assertThat(((Result.Contents) cached).contents()).isEqualTo(ByteString.utf8("v1"));

      assertThat(call(w, new Request.SetContents(wh, ByteString.utf8("v2"), -1)).ok()).isTrue();
      order.add("write acknowledged");

      assertThat(order).containsExactly("invalidated /ls/local/cfg", "write acknowledged");
      Result fresh = call(r, new Request.GetContentsAndStat(rh));
      assertThat(((Result.Contents) fresh).contents()).isEqualTo(ByteString.utf8("v2"));
    }
  }

  @Test
  void aSilentSessionLosesItsLockAfterItsLeaseAndTheLockDelay() throws Exception {
    CellSession holder = session(new CellSession.Listener() {});
    long lockDelayMs = 2_000;
    long held =
        handle(
            call(holder, open("lock", CreateOptions.file(false, ByteString.EMPTY), lockDelayMs)));
    assertThat(call(holder, new Request.Acquire(held, LockMode.EXCLUSIVE)))
        .isInstanceOf(Result.LockGranted.class);
    long eph = handle(call(holder, open("alive", CreateOptions.file(true, ByteString.EMPTY), 0)));
    assertThat(eph).isPositive();

    try (CellSession other = session(new CellSession.Listener() {})) {
      long wanted = handle(call(other, open("lock", CreateOptions.NONE, 0)));
      long silencedAt = System.nanoTime();
      holder.close(); // no more KeepAlives, and no EndSession: the master must expire it

      await()
          .atMost(DEADLINE)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                Result r = call(other, new Request.TryAcquire(wanted, LockMode.EXCLUSIVE));
                return r instanceof Result.LockGranted;
              });
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - silencedAt);
      assertThat(waitedMs)
          .as("not before the lease (3 s) and the lock-delay (2 s) have both passed")
          .isGreaterThanOrEqualTo(SESSION_LEASE_MS + lockDelayMs - 1_000);
      Result gone = call(other, open("alive", CreateOptions.NONE, 0));
      assertThat(((Result.Failure) gone).code()).isEqualTo(ErrorCode.NOT_FOUND);
    }
  }

  @Test
  void garbageOnTheClientAndPeerPortsClosesOnlyThatConnection() throws Exception {
    try (CellSession s = session(new CellSession.Listener() {})) {
      long h = handle(call(s, open("steady", CreateOptions.file(false, ByteString.EMPTY), 0)));
      int master = cell.master().orElseThrow();
      for (String address : List.of(cell.clientAddress(master), cell.peerAddress(master))) {
        for (byte[] junk :
            List.of(
                "GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3})) {
          try (java.net.Socket socket = new java.net.Socket()) {
            var hostPort = com.google.common.net.HostAndPort.fromString(address);
            socket.connect(
                new java.net.InetSocketAddress(hostPort.getHost(), hostPort.getPort()), 5_000);
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(junk);
            socket.getOutputStream().flush();
            // The replica answers (a ProtocolError on the client port) and closes: read to EOF.
            while (socket.getInputStream().read() >= 0) {
              // drain
            }
          }
        }
      }
      assertThat(call(s, new Request.SetContents(h, ByteString.utf8("still"), -1)).ok()).isTrue();
      assertThat(cell.master()).contains(master);
    }
  }

  @Test
  void aReplicaRestartedAfterCompactionCatchesUpBySnapshotAndLaterServesAsMaster()
      throws Exception {
    int first = cell.master().orElseThrow();
    int lagging = first % 3 + 1;
    cell.kill(lagging);
    try (CellSession s = session(new CellSession.Listener() {})) {
      long h = handle(call(s, open("counter", CreateOptions.file(false, ByteString.EMPTY), 0)));
      // Far more slots than are retained behind a snapshot: the restarted replica cannot catch
      // up from entries alone.
      for (int i = 1; i <= 400; i++) {
        assertThat(call(s, new Request.SetContents(h, ByteString.utf8("n" + i), -1)).ok()).isTrue();
      }
      cell.start(lagging);
      await()
          .atMost(DEADLINE)
          .until(
              () ->
                  cell.appliedIndex(lagging) >= cell.appliedIndex(first)
                      && cell.appliedIndex(first) > 400);
      assertThat(cell.log(lagging)).contains("installing the snapshot");

      // Make the restarted replica master: stop the others' mastership until it takes over.
      await()
          .atMost(Duration.ofMinutes(3))
          .until(
              () -> {
                int master = cell.awaitMaster(DEADLINE);
                if (master == lagging) {
                  return true;
                }
                cell.kill(master);
                cell.awaitMaster(DEADLINE);
                cell.start(master);
                return false;
              });
      Result read = call(s, new Request.GetContentsAndStat(h));
      assertThat(((Result.Contents) read).contents()).isEqualTo(ByteString.utf8("n400"));
      assertThat(call(s, new Request.SetContents(h, ByteString.utf8("after"), -1)).ok()).isTrue();
    }
  }
}
