package io.tumbler.lockservice.command;

import com.google.common.collect.Sets;
import io.tumbler.lockservice.Limits;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The binary encoding of requests, results, events and commands: one encoding for the replicated
 * log, for snapshots and for the wire, so that nothing is translated twice. docs/protocol.md
 * describes it byte by byte. Decoding checks every length and count against {@link Limits}.
 */
public final class CommandCodec {

  /** Longest error detail written; longer details are cut, they are for people. */
  public static final int MAX_DETAIL_CHARS = 1000;

  private static final int MAX_DETAIL_BYTES = 3 * MAX_DETAIL_CHARS;

  private final Limits limits;
  private final int maxSequencerBytes;

  public CommandCodec(Limits limits) {
    this.limits = limits;
    this.maxSequencerBytes = limits.maxPathBytes() + 64;
  }

  public Limits limits() {
    return limits;
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  public void writeCommand(WireWriter w, Command command) {
    if (command instanceof Command.CreateSession c) {
      w.writeByte(1).writeLong(c.nowMs()).writeString(c.principal());
    } else if (command instanceof Command.ExpireSession c) {
      w.writeByte(2).writeLong(c.nowMs()).writeLong(c.session());
    } else if (command instanceof Command.ClientRequest c) {
      w.writeByte(3).writeLong(c.nowMs()).writeLong(c.session());
      w.writeLong(c.requestNumber()).writeLong(c.ackedThrough());
      writeRequest(w, c.request());
    } else if (command instanceof Command.Tick c) {
      w.writeByte(4).writeLong(c.nowMs());
    } else {
      throw new AssertionError("unknown command " + command);
    }
  }

  public Command readCommand(WireReader r) {
    int type = r.readUnsignedByte("command type");
    long nowMs = r.readLong("nowMs");
    switch (type) {
      case 1:
        return new Command.CreateSession(nowMs, principal(r));
      case 2:
        return new Command.ExpireSession(nowMs, r.readLong("session"));
      case 3:
        return new Command.ClientRequest(
            nowMs,
            r.readLong("session"),
            r.readLong("request number"),
            r.readLong("acked through"),
            readRequest(r));
      case 4:
        return new Command.Tick(nowMs);
      default:
        throw new MalformedInputException("unknown command type %d", type);
    }
  }

  private String principal(WireReader r) {
    String p = r.readString("principal", limits.maxPrincipalBytes());
    if (p.isEmpty()) {
      throw new MalformedInputException("empty principal");
    }
    return p;
  }

  // ---------------------------------------------------------------------------------------------
  // Requests

  public void writeRequest(WireWriter w, Request request) {
    if (request instanceof Request.Open r) {
      w.writeByte(1).writeString(r.path()).writeBits(r.mode()).writeBits(r.events());
      w.writeLong(r.lockDelayMs());
      writeCreateOptions(w, r.create());
    } else if (request instanceof Request.Close r) {
      w.writeByte(2).writeLong(r.handle());
    } else if (request instanceof Request.Poison r) {
      w.writeByte(3).writeLong(r.handle());
    } else if (request instanceof Request.GetContentsAndStat r) {
      w.writeByte(4).writeLong(r.handle());
    } else if (request instanceof Request.GetStat r) {
      w.writeByte(5).writeLong(r.handle());
    } else if (request instanceof Request.ReadDir r) {
      w.writeByte(6).writeLong(r.handle()).writeString(r.startAfter());
    } else if (request instanceof Request.SetContents r) {
      w.writeByte(7).writeLong(r.handle()).writeByteString(r.contents());
      w.writeLong(r.expectedContentGeneration());
    } else if (request instanceof Request.SetAcl r) {
      w.writeByte(8).writeLong(r.handle());
      writeAcls(w, r.acls());
    } else if (request instanceof Request.Delete r) {
      w.writeByte(9).writeLong(r.handle());
    } else if (request instanceof Request.Acquire r) {
      w.writeByte(10).writeLong(r.handle()).writeEnum(r.mode());
    } else if (request instanceof Request.TryAcquire r) {
      w.writeByte(11).writeLong(r.handle()).writeEnum(r.mode());
    } else if (request instanceof Request.Release r) {
      w.writeByte(12).writeLong(r.handle());
    } else if (request instanceof Request.GetSequencer r) {
      w.writeByte(13).writeLong(r.handle());
    } else if (request instanceof Request.SetSequencer r) {
      w.writeByte(14).writeLong(r.handle()).writeByteString(r.sequencer());
    } else if (request instanceof Request.CheckSequencer r) {
      w.writeByte(15).writeByteString(r.sequencer());
    } else if (request instanceof Request.Transaction r) {
      w.writeByte(16).writeInt(r.ops().size());
      for (TxnOp op : r.ops()) {
        writeTxnOp(w, op);
      }
    } else if (request instanceof Request.EndSession) {
      w.writeByte(17);
    } else {
      throw new AssertionError("unknown request " + request);
    }
  }

  public Request readRequest(WireReader r) {
    int type = r.readUnsignedByte("request type");
    switch (type) {
      case 1:
        {
          String path = path(r);
          Set<Permission> mode = enumSet(r.readBits("mode", 4), Permission.class);
          Set<EventKind> events = enumSet(r.readBits("events", 5), EventKind.class);
          long lockDelayMs = r.readLong("lock-delay");
          return new Request.Open(path, mode, events, lockDelayMs, readCreateOptions(r));
        }
      case 2:
        return new Request.Close(r.readLong("handle"));
      case 3:
        return new Request.Poison(r.readLong("handle"));
      case 4:
        return new Request.GetContentsAndStat(r.readLong("handle"));
      case 5:
        return new Request.GetStat(r.readLong("handle"));
      case 6:
        return new Request.ReadDir(
            r.readLong("handle"), r.readString("start after", limits.maxComponentBytes()));
      case 7:
        return new Request.SetContents(
            r.readLong("handle"), contents(r), r.readLong("expected content generation"));
      case 8:
        return new Request.SetAcl(r.readLong("handle"), readAcls(r));
      case 9:
        return new Request.Delete(r.readLong("handle"));
      case 10:
        return new Request.Acquire(
            r.readLong("handle"), r.readEnum("lock mode", LockMode.values()));
      case 11:
        return new Request.TryAcquire(
            r.readLong("handle"), r.readEnum("lock mode", LockMode.values()));
      case 12:
        return new Request.Release(r.readLong("handle"));
      case 13:
        return new Request.GetSequencer(r.readLong("handle"));
      case 14:
        return new Request.SetSequencer(
            r.readLong("handle"), r.readByteString("sequencer", maxSequencerBytes));
      case 15:
        return new Request.CheckSequencer(r.readByteString("sequencer", maxSequencerBytes));
      case 16:
        {
          int n = r.readLength("transaction ops", limits.maxTransactionOps());
          List<TxnOp> ops = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            ops.add(readTxnOp(r));
          }
          return new Request.Transaction(ops);
        }
      case 17:
        return new Request.EndSession();
      default:
        throw new MalformedInputException("unknown request type %d", type);
    }
  }

  private String path(WireReader r) {
    return r.readString("path", limits.maxPathBytes());
  }

  private ByteString contents(WireReader r) {
    return r.readByteString("contents", limits.maxFileBytes());
  }

  private void writeCreateOptions(WireWriter w, CreateOptions c) {
    int flags =
        (c.ifAbsent() ? 1 : 0)
            | (c.mustCreate() ? 2 : 0)
            | (c.sequential() ? 4 : 0)
            | (c.ephemeral() ? 8 : 0)
            | (c.acls() != null ? 16 : 0);
    w.writeByte(flags).writeEnum(c.kind()).writeByteString(c.initialContents());
    if (c.acls() != null) {
      writeAcls(w, c.acls());
    }
  }

  private CreateOptions readCreateOptions(WireReader r) {
    int flags = r.readBits("create flags", 5);
    NodeKind kind = r.readEnum("node kind", NodeKind.values());
    ByteString contents = contents(r);
    AclNames acls = (flags & 16) != 0 ? readAcls(r) : null;
    return new CreateOptions(
        (flags & 1) != 0,
        (flags & 2) != 0,
        (flags & 4) != 0,
        (flags & 8) != 0,
        kind,
        contents,
        acls);
  }

  public void writeAcls(WireWriter w, AclNames acls) {
    w.writeString(acls.read()).writeString(acls.write()).writeString(acls.changeAcl());
  }

  public AclNames readAcls(WireReader r) {
    int max = limits.maxComponentBytes();
    return new AclNames(
        r.readString("read ACL", max),
        r.readString("write ACL", max),
        r.readString("change-ACL ACL", max));
  }

  private void writeTxnOp(WireWriter w, TxnOp op) {
    if (op instanceof TxnOp.CheckExists o) {
      w.writeByte(1).writeString(o.path()).writeBoolean(o.exists());
    } else if (op instanceof TxnOp.CheckContentGeneration o) {
      w.writeByte(2).writeString(o.path()).writeLong(o.contentGeneration());
    } else if (op instanceof TxnOp.PutContents o) {
      w.writeByte(3).writeString(o.path()).writeByteString(o.contents());
    } else if (op instanceof TxnOp.Create o) {
      w.writeByte(4).writeString(o.path()).writeEnum(o.kind()).writeByteString(o.contents());
    } else if (op instanceof TxnOp.Remove o) {
      w.writeByte(5).writeString(o.path());
    } else {
      throw new AssertionError("unknown transaction op " + op);
    }
  }

  private TxnOp readTxnOp(WireReader r) {
    int type = r.readUnsignedByte("transaction op type");
    switch (type) {
      case 1:
        return new TxnOp.CheckExists(path(r), r.readBoolean("exists"));
      case 2:
        return new TxnOp.CheckContentGeneration(path(r), r.readLong("content generation"));
      case 3:
        return new TxnOp.PutContents(path(r), contents(r));
      case 4:
        return new TxnOp.Create(path(r), r.readEnum("node kind", NodeKind.values()), contents(r));
      case 5:
        return new TxnOp.Remove(path(r));
      default:
        throw new MalformedInputException("unknown transaction op type %d", type);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Results

  public void writeResult(WireWriter w, Result result) {
    if (result instanceof Result.Failure f) {
      String detail = f.detail();
      if (detail.length() > MAX_DETAIL_CHARS) {
        detail = detail.substring(0, MAX_DETAIL_CHARS);
      }
      w.writeByte(1).writeByte(f.code().wire()).writeString(detail);
    } else if (result instanceof Result.Done) {
      w.writeByte(2);
    } else if (result instanceof Result.SessionCreated s) {
      w.writeByte(3).writeLong(s.session());
    } else if (result instanceof Result.Opened o) {
      w.writeByte(4).writeLong(o.handle()).writeString(o.path()).writeBoolean(o.created());
      writeStat(w, o.stat());
    } else if (result instanceof Result.StatResult s) {
      w.writeByte(5);
      writeStat(w, s.stat());
    } else if (result instanceof Result.Contents c) {
      w.writeByte(6).writeByteString(c.contents());
      writeStat(w, c.stat());
    } else if (result instanceof Result.DirPage d) {
      w.writeByte(7).writeBoolean(d.more()).writeInt(d.children().size());
      for (ChildEntry child : d.children()) {
        w.writeString(child.name());
        writeStat(w, child.stat());
      }
    } else if (result instanceof Result.LockGranted g) {
      w.writeByte(8).writeEnum(g.mode()).writeLong(g.lockGeneration());
    } else if (result instanceof Result.LockQueued) {
      w.writeByte(9);
    } else if (result instanceof Result.SequencerResult s) {
      w.writeByte(10).writeByteString(s.sequencer());
    } else {
      throw new AssertionError("unknown result " + result);
    }
  }

  public Result readResult(WireReader r) {
    int type = r.readUnsignedByte("result type");
    switch (type) {
      case 1:
        {
          int wire = r.readUnsignedByte("error code");
          ErrorCode code = ErrorCode.fromWire(wire);
          if (code == null) {
            throw new MalformedInputException("unknown error code %d", wire);
          }
          return new Result.Failure(code, r.readString("error detail", MAX_DETAIL_BYTES));
        }
      case 2:
        return new Result.Done();
      case 3:
        return new Result.SessionCreated(r.readLong("session"));
      case 4:
        return new Result.Opened(
            r.readLong("handle"), path(r), r.readBoolean("created"), readStat(r));
      case 5:
        return new Result.StatResult(readStat(r));
      case 6:
        return new Result.Contents(contents(r), readStat(r));
      case 7:
        {
          boolean more = r.readBoolean("more");
          int n = r.readLength("directory entries", limits.maxReadDirEntries());
          List<ChildEntry> children = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            children.add(
                new ChildEntry(
                    r.readString("child name", limits.maxComponentBytes()), readStat(r)));
          }
          return new Result.DirPage(children, more);
        }
      case 8:
        return new Result.LockGranted(
            r.readEnum("lock mode", LockMode.values()), r.readLong("lock generation"));
      case 9:
        return new Result.LockQueued();
      case 10:
        return new Result.SequencerResult(r.readByteString("sequencer", maxSequencerBytes));
      default:
        throw new MalformedInputException("unknown result type %d", type);
    }
  }

  public void writeStat(WireWriter w, Stat s) {
    w.writeEnum(s.kind()).writeBoolean(s.ephemeral()).writeLong(s.instanceNumber());
    w.writeLong(s.contentGeneration()).writeLong(s.lockGeneration()).writeLong(s.aclGeneration());
    w.writeLong(s.contentChecksum()).writeInt(s.contentLength());
    writeAcls(w, s.acls());
  }

  public Stat readStat(WireReader r) {
    return new Stat(
        r.readEnum("node kind", NodeKind.values()),
        r.readBoolean("ephemeral"),
        r.readLong("instance number"),
        r.readLong("content generation"),
        r.readLong("lock generation"),
        r.readLong("ACL generation"),
        r.readLong("content checksum"),
        r.readLength("content length", limits.maxFileBytes()),
        readAcls(r));
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  public void writeEvent(WireWriter w, Event event) {
    if (event instanceof Event.ContentsModified e) {
      w.writeByte(1).writeString(e.path()).writeLong(e.contentGeneration());
    } else if (event instanceof Event.ChildChanged e) {
      w.writeByte(2).writeString(e.path()).writeString(e.child()).writeEnum(e.change());
    } else if (event instanceof Event.LockAcquired e) {
      w.writeByte(3).writeString(e.path()).writeLong(e.acquirer()).writeEnum(e.mode());
      w.writeLong(e.lockGeneration());
    } else if (event instanceof Event.ConflictingLockRequest e) {
      w.writeByte(4).writeString(e.path()).writeEnum(e.requested());
    } else if (event instanceof Event.HandleInvalid e) {
      w.writeByte(5).writeString(e.path());
    } else {
      throw new AssertionError("unknown event " + event);
    }
  }

  public Event readEvent(WireReader r) {
    int type = r.readUnsignedByte("event type");
    switch (type) {
      case 1:
        return new Event.ContentsModified(path(r), r.readLong("content generation"));
      case 2:
        return new Event.ChildChanged(
            path(r),
            r.readString("child", limits.maxComponentBytes()),
            r.readEnum("child change", Event.ChildChange.values()));
      case 3:
        return new Event.LockAcquired(
            path(r),
            r.readLong("acquirer"),
            r.readEnum("lock mode", LockMode.values()),
            r.readLong("lock generation"));
      case 4:
        return new Event.ConflictingLockRequest(
            path(r), r.readEnum("lock mode", LockMode.values()));
      case 5:
        return new Event.HandleInvalid(path(r));
      default:
        throw new MalformedInputException("unknown event type %d", type);
    }
  }

  public static <E extends Enum<E>> Set<E> enumSet(int bits, Class<E> type) {
    EnumSet<E> set = EnumSet.noneOf(type);
    for (E e : type.getEnumConstants()) {
      if ((bits & (1 << e.ordinal())) != 0) {
        set.add(e);
      }
    }
    return Sets.immutableEnumSet(set);
  }
}
