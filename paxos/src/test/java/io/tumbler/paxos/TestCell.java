package io.tumbler.paxos;

import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.storage.InMemoryStorage;
import io.tumbler.paxos.storage.PersistRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A cell of replicas driven the way the server drives them, with an instant network and in-memory
 * storage: persist requests are written and synced at once (unless a replica's disk is held),
 * chunks to send are read from the sender's storage, and installs are streamed from the receiver's.
 * Every step's outputs are kept, so tests can assert on what the core asked for.
 */
final class TestCell {

  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  /** One replica's step and what it returned. */
  record Step(int replica, Outputs outputs) {}

  final PaxosConfig config;
  final List<Replica> replicas = new ArrayList<>();
  final List<InMemoryStorage> storages = new ArrayList<>();
  final List<List<ChosenEntry>> applied = new ArrayList<>();

  /** The snapshots each replica installed, and their bodies as streamed from its storage. */
  final List<List<SnapshotRef>> installed = new ArrayList<>();

  final Map<SnapshotRef, byte[]> installedBodies = new HashMap<>();
  final List<Event> events = new ArrayList<>();
  final List<Step> steps = new ArrayList<>();
  final ArrayDeque<Envelope> inFlight = new ArrayDeque<>();

  /** Replicas whose persist requests wait for {@link #releaseDisk}. */
  final Set<Integer> heldDisks = new HashSet<>();

  private final Map<Integer, ArrayDeque<Long>> heldTokens = new HashMap<>();

  /** Decides each message's fate on the wire: the message to deliver, or null to drop it. */
  UnaryOperator<Envelope> network = UnaryOperator.identity();

  long now;

  TestCell(PaxosConfig config) {
    this.config = config;
    for (int id : config.membership().replicaIds()) {
      storages.add(new InMemoryStorage());
      replicas.add(new Replica(config, id, storages.get(id).load(), new SplittableRandom(id), 0));
      applied.add(new ArrayList<>());
      installed.add(new ArrayList<>());
    }
  }

  void handle(Replica replica, Outputs outputs) {
    int id = replica.id();
    steps.add(new Step(id, outputs));
    InMemoryStorage storage = storages.get(id);
    outputs.persist().ifPresent(storage::write);
    inFlight.addAll(outputs.messages());
    for (SnapshotChunkSend chunk : outputs.snapshotChunksToSend()) {
      Optional<byte[]> bytes = storage.read(chunk.snapshot(), chunk.offset(), chunk.length());
      if (bytes.isPresent()) {
        inFlight.add(chunk.envelope(bytes.get()));
      } else {
        handle(replica, replica.onSnapshotUnavailable(now, chunk.snapshot().index()));
      }
    }
    if (outputs.snapshotToInstall().isPresent()) {
      SnapshotRef ref = outputs.snapshotToInstall().get();
      try (InputStream body = storage.open(ref)) {
        installedBodies.put(ref, body.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      installed.get(id).add(ref);
    }
    applied.get(id).addAll(outputs.toApply());
    events.addAll(outputs.events());
    if (outputs.persist().isPresent()) {
      PersistRequest request = outputs.persist().get();
      if (heldDisks.contains(id)) {
        heldTokens.computeIfAbsent(id, k -> new ArrayDeque<>()).add(request.token());
      } else {
        handle(replica, replica.onPersisted(now, storage.syncThrough(request.token())));
      }
    }
  }

  /** Makes everything replica {@code id} wrote durable and reports it. */
  void releaseDisk(int id) {
    ArrayDeque<Long> tokens = heldTokens.getOrDefault(id, new ArrayDeque<>());
    if (!tokens.isEmpty()) {
      long last = tokens.peekLast();
      tokens.clear();
      Replica replica = replicas.get(id);
      handle(replica, replica.onPersisted(now, storages.get(id).syncThrough(last)));
    }
  }

  /** Replica {@code id} crashes (its unsynced writes are lost) and restarts from its storage. */
  Replica crashAndRestart(int id) {
    InMemoryStorage storage = storages.get(id);
    storage.crash();
    heldTokens.remove(id);
    inFlight.removeIf(e -> e.to() == id || e.from() == id);
    Replica restarted = new Replica(config, id, storage.load(), new SplittableRandom(now), now);
    replicas.set(id, restarted);
    return restarted;
  }

  void deliverAll() {
    while (!inFlight.isEmpty()) {
      Envelope envelope = network.apply(inFlight.pollFirst());
      if (envelope != null) {
        Replica to = replicas.get(envelope.to());
        handle(to, to.onMessage(now, envelope));
      }
    }
  }

  void advanceTo(long nanos, int... ticking) {
    while (now < nanos) {
      now = Math.min(nanos, now + 5 * MS);
      for (int id : ticking) {
        handle(replicas.get(id), replicas.get(id).onTick(now));
      }
      deliverAll();
    }
  }

  /** Ticks every replica until {@code nanos}. */
  void advanceAllTo(long nanos) {
    advanceTo(nanos, replicas.stream().mapToInt(Replica::id).toArray());
  }

  Replica leader() {
    for (Replica replica : replicas) {
      if (replica.role() == Role.LEADER) {
        return replica;
      }
    }
    return null;
  }

  /** Proposes commands at the master one by one, delivering all messages after each. */
  void choose(int count) {
    for (int i = 0; i < count; i++) {
      Replica leader = leader();
      handle(leader, leader.propose(now, List.of(new Command(new byte[] {(byte) i, 7}))));
      deliverAll();
    }
  }

  /** Writes a snapshot body to replica {@code id}'s storage at its applied index and reports it. */
  SnapshotRef takeSnapshot(int id, byte[] body) {
    Replica replica = replicas.get(id);
    SnapshotRef ref;
    try {
      ref =
          storages
              .get(id)
              .write(replica.appliedIndex(), replica.promised(), out -> out.write(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    handle(replica, replica.onSnapshotTaken(now, ref));
    return ref;
  }
}
