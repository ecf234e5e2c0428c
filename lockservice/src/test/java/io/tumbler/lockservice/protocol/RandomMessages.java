package io.tumbler.lockservice.protocol;

import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Event;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.Stat;
import io.tumbler.lockservice.command.TxnOp;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** Random instances of every message, request, result, event and command, from one seed. */
public final class RandomMessages {

  static final int REQUEST_KINDS = 17;
  static final int RESULT_KINDS = 10;
  static final int EVENT_KINDS = 5;
  static final int TXN_OP_KINDS = 5;
  static final int COMMAND_KINDS = 4;

  private final Random rnd;

  public RandomMessages(long seed) {
    this.rnd = new Random(seed);
  }

  public Message message() {
    MessageType[] types = MessageType.values();
    return message(types[rnd.nextInt(types.length)]);
  }

  Message message(MessageType type) {
    switch (type) {
      case CREATE_SESSION:
        return new Message.CreateSession(rnd.nextLong());
      case SESSION_REQUEST:
        return new Message.SessionRequest(
            rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), request());
      case KEEP_ALIVE:
        return new Message.KeepAlive(
            rnd.nextLong(),
            rnd.nextLong(),
            rnd.nextLong(),
            rnd.nextLong(),
            subset(SessionNotice.class));
      case FIND_MASTER:
        return new Message.FindMaster();
      case SESSION_CREATED:
        return new Message.SessionCreated(rnd.nextLong(), rnd.nextLong(), rnd.nextLong());
      case RESPONSE:
        return new Message.Response(result(), rnd.nextBoolean());
      case KEEP_ALIVE_RESPONSE:
        {
          List<Message.NumberedEvent> events = new ArrayList<>();
          List<Message.Invalidation> invalidations = new ArrayList<>();
          for (int i = rnd.nextInt(5); i > 0; i--) {
            events.add(new Message.NumberedEvent(rnd.nextLong(), rnd.nextLong(), event()));
          }
          for (int i = rnd.nextInt(5); i > 0; i--) {
            invalidations.add(new Message.Invalidation(rnd.nextLong(), path()));
          }
          return new Message.KeepAliveResponse(
              rnd.nextLong(), rnd.nextLong(), subset(SessionNotice.class), events, invalidations);
        }
      case REDIRECT:
        return new Message.Redirect(
            rnd.nextBoolean() ? ErrorCode.NOT_MASTER : ErrorCode.STALE_EPOCH,
            rnd.nextBoolean() ? "" : "10.0.0." + rnd.nextInt(256) + ":7070",
            rnd.nextLong());
      case PROTOCOL_ERROR:
        return new Message.ProtocolError(
            FrameError.values()[rnd.nextInt(FrameError.values().length)], text());
      case MASTER_LOCATION:
        {
          List<String> replicas = new ArrayList<>();
          for (int i = rnd.nextInt(6); i > 0; i--) {
            replicas.add("replica-" + rnd.nextInt(100) + ":7070");
          }
          return new Message.MasterLocation(
              rnd.nextBoolean() ? "" : "m:7070", rnd.nextLong(), replicas);
        }
    }
    throw new AssertionError(type);
  }

  public Command command() {
    switch (rnd.nextInt(COMMAND_KINDS)) {
      case 0:
        return new Command.CreateSession(rnd.nextLong(), "p" + text());
      case 1:
        return new Command.ExpireSession(rnd.nextLong(), rnd.nextLong());
      case 2:
        return new Command.ClientRequest(
            rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), rnd.nextLong(), request());
      default:
        return new Command.Tick(rnd.nextLong());
    }
  }

  public Request request() {
    long h = rnd.nextLong();
    switch (rnd.nextInt(REQUEST_KINDS)) {
      case 0:
        return new Request.Open(
            path(),
            subset(Permission.class),
            subset(EventKind.class),
            rnd.nextLong(),
            createOptions());
      case 1:
        return new Request.Close(h);
      case 2:
        return new Request.Poison(h);
      case 3:
        return new Request.GetContentsAndStat(h);
      case 4:
        return new Request.GetStat(h);
      case 5:
        return new Request.ReadDir(h, rnd.nextBoolean() ? "" : "child" + rnd.nextInt(9));
      case 6:
        return new Request.SetContents(h, bytes(), rnd.nextLong());
      case 7:
        return new Request.SetAcl(h, acls());
      case 8:
        return new Request.Delete(h);
      case 9:
        return new Request.Acquire(h, mode());
      case 10:
        return new Request.TryAcquire(h, mode());
      case 11:
        return new Request.Release(h);
      case 12:
        return new Request.GetSequencer(h);
      case 13:
        return new Request.SetSequencer(h, shortBytes());
      case 14:
        return new Request.CheckSequencer(shortBytes());
      case 15:
        {
          List<TxnOp> ops = new ArrayList<>();
          for (int i = rnd.nextInt(6); i > 0; i--) {
            ops.add(txnOp());
          }
          return new Request.Transaction(ops);
        }
      default:
        return new Request.EndSession();
    }
  }

  TxnOp txnOp() {
    switch (rnd.nextInt(TXN_OP_KINDS)) {
      case 0:
        return new TxnOp.CheckExists(path(), rnd.nextBoolean());
      case 1:
        return new TxnOp.CheckContentGeneration(path(), rnd.nextLong());
      case 2:
        return new TxnOp.PutContents(path(), bytes());
      case 3:
        return new TxnOp.Create(path(), kind(), bytes());
      default:
        return new TxnOp.Remove(path());
    }
  }

  Result result() {
    switch (rnd.nextInt(RESULT_KINDS)) {
      case 0:
        return new Result.Failure(
            ErrorCode.values()[rnd.nextInt(ErrorCode.values().length)], text());
      case 1:
        return new Result.Done();
      case 2:
        return new Result.SessionCreated(rnd.nextLong());
      case 3:
        return new Result.Opened(rnd.nextLong(), path(), rnd.nextBoolean(), stat());
      case 4:
        return new Result.StatResult(stat());
      case 5:
        return new Result.Contents(bytes(), stat());
      case 6:
        {
          List<ChildEntry> children = new ArrayList<>();
          for (int i = rnd.nextInt(5); i > 0; i--) {
            children.add(new ChildEntry("c" + rnd.nextInt(1000), stat()));
          }
          return new Result.DirPage(children, rnd.nextBoolean());
        }
      case 7:
        return new Result.LockGranted(mode(), rnd.nextLong());
      case 8:
        return new Result.LockQueued();
      default:
        return new Result.SequencerResult(shortBytes());
    }
  }

  Event event() {
    switch (rnd.nextInt(EVENT_KINDS)) {
      case 0:
        return new Event.ContentsModified(path(), rnd.nextLong());
      case 1:
        return new Event.ChildChanged(
            path(), "c" + rnd.nextInt(99), Event.ChildChange.values()[rnd.nextInt(3)]);
      case 2:
        return new Event.LockAcquired(path(), rnd.nextLong(), mode(), rnd.nextLong());
      case 3:
        return new Event.ConflictingLockRequest(path(), mode());
      default:
        return new Event.HandleInvalid(path());
    }
  }

  private Stat stat() {
    return new Stat(
        kind(),
        rnd.nextBoolean(),
        rnd.nextLong(),
        rnd.nextLong(),
        rnd.nextLong(),
        rnd.nextLong(),
        rnd.nextLong(),
        rnd.nextInt(256 * 1024),
        acls());
  }

  private CreateOptions createOptions() {
    return new CreateOptions(
        rnd.nextBoolean(),
        rnd.nextBoolean(),
        rnd.nextBoolean(),
        rnd.nextBoolean(),
        kind(),
        bytes(),
        rnd.nextBoolean() ? null : acls());
  }

  private AclNames acls() {
    return new AclNames("r" + rnd.nextInt(9), "w" + rnd.nextInt(9), "é" + rnd.nextInt(9));
  }

  private <E extends Enum<E>> Set<E> subset(Class<E> type) {
    EnumSet<E> set = EnumSet.noneOf(type);
    for (E e : type.getEnumConstants()) {
      if (rnd.nextBoolean()) {
        set.add(e);
      }
    }
    return set;
  }

  private LockMode mode() {
    return rnd.nextBoolean() ? LockMode.EXCLUSIVE : LockMode.SHARED;
  }

  private NodeKind kind() {
    return rnd.nextBoolean() ? NodeKind.FILE : NodeKind.DIRECTORY;
  }

  private String path() {
    StringBuilder b = new StringBuilder("/ls/local");
    for (int i = rnd.nextInt(4); i >= 0; i--) {
      b.append('/').append(rnd.nextBoolean() ? "n" : "ü").append(rnd.nextInt(1000));
    }
    return b.toString();
  }

  private String text() {
    return "detail " + rnd.nextInt() + (rnd.nextBoolean() ? " ✓" : "");
  }

  /** Sequencers are at most a path and a few numbers long. */
  private ByteString shortBytes() {
    byte[] b = new byte[rnd.nextInt(64)];
    rnd.nextBytes(b);
    return ByteString.wrap(b);
  }

  private ByteString bytes() {
    byte[] b = new byte[rnd.nextInt(4) == 0 ? rnd.nextInt(4096) : rnd.nextInt(16)];
    rnd.nextBytes(b);
    return ByteString.wrap(b);
  }
}
