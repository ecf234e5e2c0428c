package io.tumbler.client.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.Stat;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.SessionNotice;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a session does when answers of two masters cross: a master's failover notice and cache state
 * belong to its epoch, and nothing of an older master may stand for them.
 */
class CellSessionEpochTest {

  private static final long LEASE_MS = 60_000;
  private static final Stat STAT =
      new Stat(NodeKind.FILE, false, 7, 3, 0, 0, 0, 3, AclNames.all("everyone"));

  private final Queue<Message.Response> answers = new ConcurrentLinkedQueue<>();
  private ScriptedMaster master;
  private CellSession session;

  @BeforeEach
  void openAtEpoch5() throws Exception {
    master = new ScriptedMaster();
    CompletableFuture<CellSession> opened =
        CellSession.open(
            List.of(master.address()),
            Duration.ofSeconds(30),
            new CellSession.Listener() {
              @Override
              public void onAnswer(Request request, Message.Response response) {
                answers.add(response);
              }
            });
    master
        .expect(Message.FindMaster.class)
        .reply(new Message.MasterLocation(master.address(), 5, List.of(master.address())));
    master.expect(Message.CreateSession.class).reply(new Message.SessionCreated(5, 1, LEASE_MS));
    session = opened.get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() {
    if (session != null) {
      session.close();
    }
    master.close();
  }

  @Test
  void anAnswerOfAnOlderMasterIsNeverCached() throws Exception {
    ScriptedMaster.Received keepAlive = master.expect(Message.KeepAlive.class);
    CompletableFuture<Result> read = session.call(new Request.GetContentsAndStat(1));
    ScriptedMaster.Received sent = master.expect(Message.SessionRequest.class);
    assertThat(((Message.SessionRequest) sent.message()).epoch()).isEqualTo(5);

    // A newer master takes over and the client acts on its failover notice...
    keepAlive.reply(
        new Message.KeepAliveResponse(
            6, LEASE_MS, EnumSet.of(SessionNotice.MASTER_FAILED_OVER), List.of(), List.of()));
    Message.KeepAlive next = (Message.KeepAlive) master.expect(Message.KeepAlive.class).message();
    assertThat(next.epoch()).isEqualTo(6);
    // ... and only then does the old master's answer arrive, marked cachable by a tracker that
    // is gone: nobody would invalidate it.
    sent.reply(new Message.Response(new Result.Contents(ByteString.utf8("old"), STAT), true));

    assertThat(read.get(30, TimeUnit.SECONDS).ok()).isTrue();
    assertThat(answers).singleElement().satisfies(a -> assertThat(a.cachable()).isFalse());
  }

  @Test
  void anAnswerOfTheCurrentMasterStaysCachable() throws Exception {
    master.expect(Message.KeepAlive.class);
    CompletableFuture<Result> read = session.call(new Request.GetContentsAndStat(1));
    master
        .expect(Message.SessionRequest.class)
        .reply(new Message.Response(new Result.Contents(ByteString.utf8("v"), STAT), true));

    assertThat(read.get(30, TimeUnit.SECONDS).ok()).isTrue();
    assertThat(answers).singleElement().satisfies(a -> assertThat(a.cachable()).isTrue());
  }

  @Test
  void aNoticeOfAnOlderMasterIsNotAcknowledgedToANewerOne() throws Exception {
    ScriptedMaster.Received keepAlive = master.expect(Message.KeepAlive.class);
    session.call(new Request.GetStat(1));
    // The session learns of epoch 6 while its KeepAlive still waits at the master of 5.
    master
        .expect(Message.SessionRequest.class)
        .reply(new Message.Redirect(ErrorCode.STALE_EPOCH, "", 6));
    Message.SessionRequest resent =
        (Message.SessionRequest) master.expect(Message.SessionRequest.class).message();
    assertThat(resent.epoch()).isEqualTo(6);

    // The master of 5 answers late, with a failover notice of its own.
    keepAlive.reply(
        new Message.KeepAliveResponse(
            5, LEASE_MS, EnumSet.of(SessionNotice.MASTER_FAILED_OVER), List.of(), List.of()));

    Message.KeepAlive next = (Message.KeepAlive) master.expect(Message.KeepAlive.class).message();
    assertThat(next.epoch()).isEqualTo(6);
    assertThat(next.noticesAcked())
        .as("the master of 6 has not told this session of its failover yet")
        .isEmpty();
  }

  @Test
  void aNoticeIsAcknowledgedToTheMasterThatToldOfIt() throws Exception {
    master
        .expect(Message.KeepAlive.class)
        .reply(
            new Message.KeepAliveResponse(
                5, LEASE_MS, EnumSet.of(SessionNotice.MASTER_FAILED_OVER), List.of(), List.of()));

    Message.KeepAlive next = (Message.KeepAlive) master.expect(Message.KeepAlive.class).message();
    assertThat(next.epoch()).isEqualTo(5);
    assertThat(next.noticesAcked()).containsExactly(SessionNotice.MASTER_FAILED_OVER);
  }
}
