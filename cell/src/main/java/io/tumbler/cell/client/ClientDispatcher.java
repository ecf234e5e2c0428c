package io.tumbler.cell.client;

import io.tumbler.cell.master.MasterService;
import io.tumbler.cell.replica.ReplicaNode;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.MessageType;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves what clients send from the network threads to the applier thread, which owns sessions and
 * the replicated state: each frame becomes one task on the replica's inbox.
 *
 * <p>When the inbox is full the replica is overloaded, and the frame is shed at once, on the
 * network thread: a request (CreateSession, SessionRequest, FindMaster) is answered {@code
 * LIMIT_EXCEEDED} under its correlation id, so the client retries later instead of waiting; a
 * KeepAlive is dropped, since the client sends the next one anyway. The news that a connection
 * closed is never shed: the master must learn it to release what the connection held, so it is
 * retried every {@link #CLOSE_RETRY_INTERVAL_MS} until the inbox takes it.
 */
public final class ClientDispatcher implements ClientFrameHandler {

  private static final Logger log = LoggerFactory.getLogger(ClientDispatcher.class);

  /** How soon a connection's closing is offered to a full inbox again. */
  public static final long CLOSE_RETRY_INTERVAL_MS = 10;

  static final String OVERLOADED = "replica overloaded, retry";

  /** Runs a task on the applier thread; false when its inbox is full. */
  @FunctionalInterface
  public interface Applier {
    boolean execute(Runnable task);
  }

  /** Takes a frame on the applier thread ({@link MasterService#onFrame}). */
  @FunctionalInterface
  public interface FrameReceiver {
    void onFrame(ClientConnection connection, Frame frame, long nowNanos);
  }

  private final Applier applier;
  private final FrameReceiver receiver;
  private final Consumer<ClientConnection> closed;
  private final ScheduledExecutorService retries;
  private final LongSupplier nanoClock;
  private final Map<MessageType, LongAdder> shed = new EnumMap<>(MessageType.class);

  /**
   * @param retries where a connection's closing waits to be offered again; the client transport's
   *     event loops serve
   */
  public ClientDispatcher(
      Applier applier,
      FrameReceiver receiver,
      Consumer<ClientConnection> closed,
      ScheduledExecutorService retries,
      LongSupplier nanoClock) {
    this.applier = applier;
    this.receiver = receiver;
    this.closed = closed;
    this.retries = retries;
    this.nanoClock = nanoClock;
    for (MessageType type : MessageType.values()) {
      shed.put(type, new LongAdder());
    }
  }

  /** The production wiring: frames go to {@code master} on {@code node}'s applier thread. */
  public static ClientDispatcher forMaster(
      ReplicaNode node, MasterService master, ScheduledExecutorService retries) {
    return new ClientDispatcher(
        node::execute, master::onFrame, master::onClosed, retries, System::nanoTime);
  }

  @Override
  public void onFrame(ClientConnection connection, Frame frame) {
    if (applier.execute(() -> receiver.onFrame(connection, frame, nanoClock.getAsLong()))) {
      return;
    }
    Message message = frame.message();
    shed.get(message.type()).increment();
    if (isRequest(message)) {
      connection.send(
          new Frame(
              frame.correlationId(),
              new Message.Response(new Result.Failure(ErrorCode.LIMIT_EXCEEDED, OVERLOADED))));
    }
  }

  @Override
  public void onClosed(ClientConnection connection) {
    if (!applier.execute(() -> closed.accept(connection))) {
      log.debug("inbox full; will tell the master again that {} closed", connection);
      try {
        retries.schedule(
            () -> onClosed(connection), CLOSE_RETRY_INTERVAL_MS, TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        // The server is shutting down: nobody is left to tell.
        log.debug("not retrying the close of {}: shutting down", connection);
      }
    }
  }

  /** Frames of {@code type} shed because the replica was overloaded, since start. */
  public long shedFrames(MessageType type) {
    return shed.get(type).sum();
  }

  /** Whether the client waits for an answer to {@code message}. */
  private static boolean isRequest(Message message) {
    return message instanceof Message.SessionRequest
        || message instanceof Message.CreateSession
        || message instanceof Message.FindMaster;
  }
}
