package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.Permission;
import java.util.Set;

/**
 * An open handle: bound to one node instance, so it stays dead once that instance is deleted, even
 * if a node of the same name is created again. Kept in the replicated state so that a new master
 * knows it without the client re-opening.
 */
final class Handle {
  final long id;
  final long session;
  final NodePath path;
  final long instanceNumber;
  final Set<Permission> mode;
  final Set<EventKind> events;
  final long lockDelayMs;
  final boolean onEphemeral;
  boolean poisoned;
  ByteString sequencer;

  Handle(
      long id,
      long session,
      NodePath path,
      long instanceNumber,
      Set<Permission> mode,
      Set<EventKind> events,
      long lockDelayMs,
      boolean onEphemeral) {
    this.id = id;
    this.session = session;
    this.path = path;
    this.instanceNumber = instanceNumber;
    this.mode = mode;
    this.events = events;
    this.lockDelayMs = lockDelayMs;
    this.onEphemeral = onEphemeral;
  }
}
