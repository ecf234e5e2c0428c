package io.tumbler.cell.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientDispatcherTest {

  /** An applier whose inbox can be made full; tasks run when the test says. */
  private static final class FakeApplier implements ClientDispatcher.Applier {
    final Queue<Runnable> inbox = new ConcurrentLinkedQueue<>();
    final AtomicBoolean full = new AtomicBoolean();

    @Override
    public boolean execute(Runnable task) {
      if (full.get()) {
        return false;
      }
      return inbox.add(task);
    }

    void runAll() {
      for (Runnable task; (task = inbox.poll()) != null; ) {
        task.run();
      }
    }
  }

  private static final class FakeConnection implements ClientConnection {
    final List<Frame> sent = new CopyOnWriteArrayList<>();

    @Override
    public long id() {
      return 1;
    }

    @Override
    public String remoteHost() {
      return "127.0.0.1";
    }

    @Override
    public void send(Frame frame) {
      sent.add(frame);
    }

    @Override
    public void close() {}

    @Override
    public boolean isOpen() {
      return true;
    }
  }

  private record Received(ClientConnection connection, Frame frame, long nowNanos) {}

  private final FakeApplier applier = new FakeApplier();
  private final List<Received> received = new ArrayList<>();
  private final List<ClientConnection> closed = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor();
  private final ClientDispatcher dispatcher =
      new ClientDispatcher(
          applier,
          (connection, frame, now) -> received.add(new Received(connection, frame, now)),
          closed::add,
          retries,
          () -> 777);
  private final FakeConnection connection = new FakeConnection();

  @AfterEach
  void stop() {
    retries.shutdownNow();
  }

  private static Frame request(long correlationId) {
    return new Frame(correlationId, new Message.SessionRequest(1, 2, 3, 0, new Request.GetStat(4)));
  }

  @Test
  void framesReachTheMasterOnTheApplierWithTheTimeThere() {
    dispatcher.onFrame(connection, request(5));

    assertThat(received).isEmpty(); // not on the network thread
    applier.runAll();

    assertThat(received).containsExactly(new Received(connection, request(5), 777));
    assertThat(connection.sent).isEmpty();
  }

  @Test
  void anOverloadedReplicaAnswersRequestsAtOnceUnderTheirCorrelationId() {
    applier.full.set(true);

    dispatcher.onFrame(connection, request(5));
    dispatcher.onFrame(connection, new Frame(6, new Message.CreateSession(0)));
    dispatcher.onFrame(connection, new Frame(7, new Message.FindMaster()));

    Message overloaded =
        new Message.Response(
            new Result.Failure(ErrorCode.LIMIT_EXCEEDED, "replica overloaded, retry"));
    assertThat(connection.sent)
        .containsExactly(
            new Frame(5, overloaded), new Frame(6, overloaded), new Frame(7, overloaded));
    assertThat(dispatcher.shedFrames(MessageType.SESSION_REQUEST)).isEqualTo(1);
    applier.runAll();
    assertThat(received).isEmpty();
  }

  @Test
  void anOverloadedReplicaDropsKeepAlivesSinceTheClientSendsTheNext() {
    applier.full.set(true);

    dispatcher.onFrame(
        connection, new Frame(8, new Message.KeepAlive(1, 2, 0, 0, java.util.Set.of())));

    assertThat(connection.sent).isEmpty();
    assertThat(dispatcher.shedFrames(MessageType.KEEP_ALIVE)).isEqualTo(1);
  }

  @Test
  void aClosedConnectionReachesTheMasterEvenThroughAFullInbox() {
    applier.full.set(true);

    dispatcher.onClosed(connection);
    applier.full.set(false);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              applier.runAll();
              return closed.contains(connection);
            });
    assertThat(closed).containsExactly(connection);
  }
}
