package io.tumbler.lockservice.statemachine;

import static com.google.common.base.Verify.verify;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.CommandCodec;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.command.MalformedInputException;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.command.WireReader;
import io.tumbler.lockservice.command.WireWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The snapshot stream: {@code "TMBS"}, u32 version, the body, u32 CRC32C of all before it. The body
 * holds only what cannot be derived; derived indexes (handles per node, ephemeral counts, running
 * lock-delays) are rebuilt and the structure checked on restore.
 */
final class SnapshotFormat {

  static final int MAGIC = 0x544d4253; // "TMBS"
  static final int VERSION = 1;
  private static final int HEADER_BYTES = 8;
  private static final int TRAILER_BYTES = 4;

  private SnapshotFormat() {}

  /** Bytes gathered before they are handed on, so a snapshot never sits whole in memory. */
  private static final int CHUNK_BYTES = 64 * 1024;

  /** Takes the readable bytes of a buffer and empties it. */
  private interface Drain {
    void accept(ByteBuf bytes) throws IOException;
  }

  static void write(State state, OutputStream out) throws IOException {
    ByteBuf buf = Unpooled.buffer(2 * CHUNK_BYTES);
    try {
      CRC32C crc = new CRC32C();
      Drain drain =
          b -> {
            crc.update(b.nioBuffer());
            b.readBytes(out, b.readableBytes());
            b.clear();
          };
      buf.writeInt(MAGIC).writeInt(VERSION);
      writeBody(state, new WireWriter(buf), drain);
      drain.accept(buf);
      buf.writeInt((int) crc.getValue());
      buf.readBytes(out, buf.readableBytes());
    } finally {
      buf.release();
    }
  }

  static long hash(State state) {
    ByteBuf buf = Unpooled.buffer(2 * CHUNK_BYTES);
    try {
      Hasher hasher = Hashing.murmur3_128().newHasher();
      Drain drain =
          b -> {
            hasher.putBytes(b.nioBuffer());
            b.clear();
          };
      writeBody(state, new WireWriter(buf), drain);
      drain.accept(buf);
      return hasher.hash().asLong();
    } catch (IOException e) {
      throw new AssertionError("hashing does no I/O", e);
    } finally {
      buf.release();
    }
  }

  private static void writeBody(State s, WireWriter w, Drain drain) throws IOException {
    CommandCodec codec = new CommandCodec(Limits.DEFAULTS);
    w.writeString(s.cell);
    w.writeLong(s.lastAppliedIndex).writeLong(s.nowMs);
    w.writeLong(s.nextInstanceNumber).writeLong(s.nextHandle).writeLong(s.nextSequence);
    // Every live node is in the tree and in the index, so the count is known before the walk.
    w.writeInt(s.nodesByInstance.size());
    ArrayDeque<Node> todo = new ArrayDeque<>();
    todo.push(s.root);
    int count = 0;
    while (!todo.isEmpty()) { // pre-order, so a parent is always read before its children
      if (w.buffer().readableBytes() >= CHUNK_BYTES) {
        drain.accept(w.buffer());
      }
      Node n = todo.pop();
      count++;
      w.writeString(n.path.toString()).writeEnum(n.kind).writeBoolean(n.ephemeral);
      w.writeLong(n.instanceNumber).writeLong(n.contentGeneration);
      w.writeLong(n.lockGeneration).writeLong(n.aclGeneration);
      w.writeBytes(n.contents);
      codec.writeAcls(w, n.acls);
      w.writeInt(n.lock.holders.size());
      for (Map.Entry<Long, LockMode> holder : n.lock.holders.entrySet()) {
        w.writeLong(holder.getKey()).writeEnum(holder.getValue());
      }
      w.writeInt(n.lock.waiters.size());
      for (LockState.Waiter waiter : n.lock.waiters) {
        w.writeLong(waiter.handle()).writeEnum(waiter.mode());
      }
      w.writeLong(n.lock.lockDelayUntilMs);
      for (Node child : n.children.descendingMap().values()) {
        todo.push(child);
      }
    }
    verify(
        count == s.nodesByInstance.size(),
        "tree has %s nodes, index %s",
        count,
        s.nodesByInstance.size());
    w.writeInt(s.handles.size());
    for (Handle h : s.handles.values()) {
      if (w.buffer().readableBytes() >= CHUNK_BYTES) {
        drain.accept(w.buffer());
      }
      w.writeLong(h.id).writeLong(h.session).writeString(h.path.toString());
      w.writeLong(h.instanceNumber).writeBits(h.mode).writeBits(h.events);
      w.writeLong(h.lockDelayMs).writeBoolean(h.onEphemeral).writeBoolean(h.poisoned);
      w.writeBoolean(h.sequencer != null);
      if (h.sequencer != null) {
        w.writeByteString(h.sequencer);
      }
    }
    w.writeInt(s.sessions.size());
    for (Session session : s.sessions.values()) {
      if (w.buffer().readableBytes() >= CHUNK_BYTES) {
        drain.accept(w.buffer());
      }
      w.writeLong(session.id).writeString(session.principal).writeLong(session.ackedThrough);
      w.writeInt(session.unackedResults.size());
      for (Map.Entry<Long, Result> e : session.unackedResults.entrySet()) {
        w.writeLong(e.getKey());
        codec.writeResult(w, e.getValue());
      }
    }
  }

  static State read(InputStream in, Limits limits) throws IOException {
    byte[] bytes = in.readAllBytes(); // sized by what arrived, never by a length in the stream
    if (bytes.length < HEADER_BYTES + TRAILER_BYTES) {
      throw new CorruptSnapshotException("snapshot of " + bytes.length + " bytes is truncated");
    }
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - TRAILER_BYTES);
    if ((int) crc.getValue() != buf.getInt(bytes.length - TRAILER_BYTES)) {
      throw new CorruptSnapshotException("snapshot checksum mismatch");
    }
    if (buf.readInt() != MAGIC) {
      throw new CorruptSnapshotException("not a Tumbler snapshot (bad magic)");
    }
    int version = buf.readInt();
    if (version != VERSION) {
      throw new CorruptSnapshotException("snapshot version " + version + " is not supported");
    }
    buf.writerIndex(bytes.length - TRAILER_BYTES);
    try {
      State state = readBody(new WireReader(buf), limits);
      if (buf.isReadable()) {
        throw new CorruptSnapshotException(buf.readableBytes() + " bytes after the snapshot body");
      }
      return state;
    } catch (MalformedInputException | IllegalArgumentException e) {
      throw new CorruptSnapshotException("snapshot body is malformed: " + e.getMessage(), e);
    }
  }

  private static State readBody(WireReader r, Limits limits) throws CorruptSnapshotException {
    CommandCodec codec = new CommandCodec(limits);
    State s = new State(r.readString("cell", limits.maxComponentBytes()));
    s.lastAppliedIndex = r.readLong("last applied index");
    s.nowMs = r.readLong("now");
    s.nextInstanceNumber = r.readLong("next instance number");
    s.nextHandle = r.readLong("next handle");
    s.nextSequence = r.readLong("next sequence");
    int nodes = r.readLength("node count", Integer.MAX_VALUE);
    Map<AclNames, AclNames> aclPool = new HashMap<>();
    for (int i = 0; i < nodes; i++) {
      NodePath path = NodePath.parse(r.readString("path", limits.maxPathBytes()), limits);
      NodeKind kind = r.readEnum("node kind", NodeKind.values());
      boolean ephemeral = r.readBoolean("ephemeral");
      long instance = r.readLong("instance number");
      long contentGeneration = r.readLong("content generation");
      long lockGeneration = r.readLong("lock generation");
      long aclGeneration = r.readLong("ACL generation");
      byte[] contents = r.readBytes("contents", limits.maxFileBytes());
      AclNames acls = codec.readAcls(r);
      // Most nodes inherit the same three names: share one object, as the live tree does.
      acls = aclPool.computeIfAbsent(acls, a -> a);
      Node n = new Node(path, kind, ephemeral, instance, contents, acls);
      n.contentGeneration = contentGeneration;
      n.lockGeneration = lockGeneration;
      n.aclGeneration = aclGeneration;
      int holders = r.readLength("holders", Integer.MAX_VALUE);
      for (int j = 0; j < holders; j++) {
        n.lock.holders.put(r.readLong("holder"), r.readEnum("lock mode", LockMode.values()));
      }
      int waiters = r.readLength("waiters", Integer.MAX_VALUE);
      for (int j = 0; j < waiters; j++) {
        n.lock.waiters.addLast(
            new LockState.Waiter(r.readLong("waiter"), r.readEnum("lock mode", LockMode.values())));
      }
      n.lock.lockDelayUntilMs = r.readLong("lock-delay end");
      if (n.lock.lockDelayUntilMs != 0) {
        s.delayedLocks.add(instance);
      }
      check(instance < s.nextInstanceNumber, "instance %s not below the next", instance);
      check(!s.nodesByInstance.containsKey(instance), "instance %s twice", instance);
      if (i == 0) {
        check(path.isRoot() && path.cell().equals(s.cell), "first node %s is not the root", path);
        s.root = n;
        s.nodesByInstance.put(instance, n);
      } else {
        Node parent = s.find(path.parent().orElseThrow());
        check(parent != null && parent.kind == NodeKind.DIRECTORY, "%s has no parent", path);
        check(!parent.children.containsKey(n.name()), "%s twice", path);
        s.addNode(parent, n);
      }
    }
    check(s.root != null, "no root");
    int handles = r.readLength("handle count", Integer.MAX_VALUE);
    for (int i = 0; i < handles; i++) {
      long id = r.readLong("handle");
      long session = r.readLong("session");
      NodePath path = NodePath.parse(r.readString("path", limits.maxPathBytes()), limits);
      long instance = r.readLong("instance number");
      var mode = CommandCodec.enumSet(r.readBits("mode", 4), Permission.class);
      var events = CommandCodec.enumSet(r.readBits("events", 5), EventKind.class);
      Handle h =
          new Handle(
              id,
              session,
              path,
              instance,
              mode,
              events,
              r.readLong("lock-delay"),
              r.readBoolean("on ephemeral"));
      h.poisoned = r.readBoolean("poisoned");
      if (r.readBoolean("has sequencer")) {
        h.sequencer = ByteString.wrap(r.readBytes("sequencer", limits.maxPathBytes() + 64));
      }
      check(id < s.nextHandle && !s.handles.containsKey(id), "bad handle id %s", id);
      s.handles.put(id, h);
    }
    int sessions = r.readLength("session count", Integer.MAX_VALUE);
    for (int i = 0; i < sessions; i++) {
      Session session =
          new Session(r.readLong("session"), r.readString("principal", limits.maxPrincipalBytes()));
      session.ackedThrough = r.readLong("acked through");
      int results = r.readLength("result count", limits.maxUnackedRequestsPerSession());
      for (int j = 0; j < results; j++) {
        long requestNumber = r.readLong("request number");
        check(requestNumber > session.ackedThrough, "result %s already acked", requestNumber);
        session.unackedResults.put(requestNumber, codec.readResult(r));
      }
      check(!s.sessions.containsKey(session.id), "session %s twice", session.id);
      s.sessions.put(session.id, session);
    }
    // Rebuild the derived indexes, checking that every reference points somewhere.
    for (Handle h : s.handles.values()) {
      Session session = s.sessions.get(h.session);
      check(session != null, "handle %s of unknown session %s", h.id, h.session);
      session.handles.add(h.id);
      if (h.onEphemeral) {
        session.ephemeralHandles++;
      }
      Node n = s.nodesByInstance.get(h.instanceNumber);
      if (n != null) {
        check(n.path.equals(h.path), "handle %s names %s, instance is %s", h.id, h.path, n.path);
        n.openHandles.add(h.id);
      }
    }
    for (Node n : s.nodesByInstance.values()) {
      for (long holder : n.lock.holders.keySet()) {
        check(n.openHandles.contains(holder), "holder %s not open on %s", holder, n.path);
      }
      for (LockState.Waiter w : n.lock.waiters) {
        check(n.openHandles.contains(w.handle()), "waiter %s not open on %s", w.handle(), n.path);
      }
    }
    return s;
  }

  private static void check(boolean condition, String format, Object... args)
      throws CorruptSnapshotException {
    if (!condition) {
      throw new CorruptSnapshotException(
          "snapshot is inconsistent: " + String.format(format, args));
    }
  }
}
