package io.tumbler.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.transport.CellSession;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EmbeddedCell} as an application's test uses it: a client reaches the cell through its
 * addresses, a killed master is replaced and forgets nothing acknowledged, a restarted replica
 * rejoins, and a one-replica cell keeps its writes on disk across a restart. Waits have generous
 * deadlines: CI is a loaded two-core machine.
 */
class EmbeddedCellIT {

  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @TempDir Path dir;

  @Test
  void aOneReplicaCellServesAWriteAndARead() throws Exception {
    try (EmbeddedCell cell = EmbeddedCell.builder(1, dir).cellName("orders").start();
        CellSession s = session(cell)) {
      assertThat(cell.masterId()).isEqualTo(1);
      assertThat(cell.clientAddresses()).hasSize(1);
      assertThat(cell.connectString())
          .isEqualTo(cell.clientAddresses().get(0))
          .startsWith("127.0.0.1:");

      long h = create(s, cell, "greeting");
      write(s, h, "hello");
      assertThat(read(s, h)).isEqualTo("hello");
    }
  }

  @Test
  void aThreeReplicaCellReplacesAKilledMasterAndARestartedReplicaRejoins() throws Exception {
    try (EmbeddedCell cell = EmbeddedCell.start(3, dir)) {
      assertThat(cell.clientAddresses()).hasSize(3).doesNotHaveDuplicates();
      assertThat(cell.connectString()).isEqualTo(String.join(",", cell.clientAddresses()));
      try (CellSession s = session(cell)) {
        long h = create(s, cell, "config");
        write(s, h, "before failover");

        int first = cell.killMaster();
        assertThat(cell.masterId()).isNotEqualTo(first);
        int second = cell.awaitMaster(DEADLINE);
        assertThat(second).isNotEqualTo(first);
        // The session follows the new master on its own; the acknowledged write is there.
        assertThat(read(s, h)).isEqualTo("before failover");
        write(s, h, "after failover");

        cell.restart(first);
        // Kill the second master too: the two replicas left, the restarted one among them, are
        // a bare majority, so a master now exists only if the restarted replica took part.
        assertThat(cell.killMaster()).isEqualTo(second);
        await("a master among the restarted replica and the one never killed")
            .atMost(DEADLINE)
            .until(() -> cell.masterId() != EmbeddedCell.NO_MASTER);
        assertThat(cell.masterId()).isNotEqualTo(second);
        assertThat(read(s, h)).isEqualTo("after failover");
      }
      cell.restart();
      cell.awaitMaster(DEADLINE);
    }
  }

  @Test
  void aOneReplicaCellKilledAndRestartedKeepsAnAcknowledgedWrite() throws Exception {
    try (EmbeddedCell cell = EmbeddedCell.start(1, dir)) {
      // Kept open across the restart, as an application would: it acknowledges the new master's
      // failover, so the master need not wait for its lease to run out.
      try (CellSession writer = session(cell)) {
        long h = create(writer, cell, "durable");
        write(writer, h, "acknowledged");

        assertThat(cell.killMaster()).isEqualTo(1);
        assertThat(cell.masterId()).isEqualTo(EmbeddedCell.NO_MASTER);
        cell.restart(1);
        assertThat(cell.awaitMaster(DEADLINE)).isEqualTo(1);

        // A new session, so nothing the writer's side remembers is involved: the replica read it
        // back from its own data directory.
        try (CellSession reader = session(cell)) {
          long r = open(reader, cell, "durable", CreateOptions.NONE);
          assertThat(read(reader, r)).isEqualTo("acknowledged");
        }
      }
    }
  }

  private static CellSession session(EmbeddedCell cell) throws Exception {
    return CellSession.open(
            cell.clientAddresses(), Duration.ofSeconds(45), new CellSession.Listener() {})
        .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }

  private static Result call(CellSession s, Request r) throws Exception {
    return s.call(r).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }

  private static long create(CellSession s, EmbeddedCell cell, String name) throws Exception {
    return open(s, cell, name, CreateOptions.file(false, ByteString.EMPTY));
  }

  private static long open(CellSession s, EmbeddedCell cell, String name, CreateOptions create)
      throws Exception {
    Result opened =
        call(
            s,
            new Request.Open(
                "/ls/" + cell.cellName() + "/" + name,
                EnumSet.of(Permission.READ, Permission.WRITE),
                EnumSet.noneOf(EventKind.class),
                0,
                create));
    assertThat(opened).isInstanceOf(Result.Opened.class);
    return ((Result.Opened) opened).handle();
  }

  private static void write(CellSession s, long handle, String contents) throws Exception {
    Result written = call(s, new Request.SetContents(handle, ByteString.utf8(contents), -1));
    assertThat(written.ok()).as("%s", written).isTrue();
  }

  private static String read(CellSession s, long handle) throws Exception {
    Result read = call(s, new Request.GetContentsAndStat(handle));
    assertThat(read).isInstanceOf(Result.Contents.class);
    return ((Result.Contents) read).contents().toUtf8();
  }
}
