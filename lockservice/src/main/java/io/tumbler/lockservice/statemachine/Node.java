package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Stat;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One node instance of the tree. Sorted collections keep iteration, hence events, deterministic.
 */
final class Node {
  final NodePath path;
  final NodeKind kind;
  final boolean ephemeral;
  final long instanceNumber;
  long contentGeneration;
  long lockGeneration;
  long aclGeneration;
  byte[] contents;
  long contentChecksum;
  AclNames acls;
  final TreeMap<String, Node> children = new TreeMap<>();

  /** Handles open on this instance. */
  final TreeSet<Long> openHandles = new TreeSet<>();

  final LockState lock = new LockState();

  Node(
      NodePath path,
      NodeKind kind,
      boolean ephemeral,
      long instanceNumber,
      byte[] contents,
      AclNames acls) {
    this.path = path;
    this.kind = kind;
    this.ephemeral = ephemeral;
    this.instanceNumber = instanceNumber;
    this.contents = contents;
    this.contentChecksum = Checksums.contents(contents);
    this.acls = acls;
  }

  Stat stat() {
    return new Stat(
        kind,
        ephemeral,
        instanceNumber,
        contentGeneration,
        lockGeneration,
        aclGeneration,
        contentChecksum,
        contents.length,
        acls);
  }

  String name() {
    return path.baseName().orElse("");
  }
}
