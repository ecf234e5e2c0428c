package io.tumbler.paxos;

import io.tumbler.paxos.message.Envelope;
import io.tumbler.paxos.storage.PersistRequest;
import java.util.List;
import java.util.Optional;

/**
 * What one step of a {@link Replica} asks its driver to do, in this order:
 *
 * <ol>
 *   <li>{@link #persist}: write these records and, once they are durable, call {@code
 *       onPersisted(now, token)}. Answers that depend on them are held inside the core until then;
 *       every message in {@link #messages} may be sent at once.
 *   <li>{@link #messages}: send these.
 *   <li>{@link #snapshotChunksToSend}: read each chunk from the stored snapshot it names and send
 *       it ({@link SnapshotChunkSend#envelope}); if that snapshot is gone, call {@code
 *       onSnapshotUnavailable(now, index)} instead.
 *   <li>{@link #snapshotToInstall}: a snapshot received from another replica is now durable and
 *       verified in storage: replace the application's state with it, streamed from storage, then
 *   <li>{@link #toApply}: apply these chosen entries, in order (contiguous slots).
 *   <li>{@link #refused}: commands this replica did not take (not master, or queue full): tell the
 *       client to go to {@code leaderHint()}.
 *   <li>{@link #events}: role, lease and epoch changes.
 * </ol>
 */
public record Outputs(
    Optional<PersistRequest> persist,
    List<Envelope> messages,
    List<SnapshotChunkSend> snapshotChunksToSend,
    Optional<SnapshotRef> snapshotToInstall,
    List<ChosenEntry> toApply,
    List<Command> refused,
    List<Event> events) {

  public static final Outputs EMPTY =
      new Outputs(
          Optional.empty(),
          List.of(),
          List.of(),
          Optional.empty(),
          List.of(),
          List.of(),
          List.of());

  public Outputs {
    messages = List.copyOf(messages);
    snapshotChunksToSend = List.copyOf(snapshotChunksToSend);
    toApply = List.copyOf(toApply);
    refused = List.copyOf(refused);
    events = List.copyOf(events);
  }

  public boolean isEmpty() {
    return persist.isEmpty()
        && messages.isEmpty()
        && snapshotChunksToSend.isEmpty()
        && snapshotToInstall.isEmpty()
        && toApply.isEmpty()
        && refused.isEmpty()
        && events.isEmpty();
  }
}
