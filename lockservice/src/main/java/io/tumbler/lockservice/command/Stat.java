package io.tumbler.lockservice.command;

/**
 * A node's metadata. Generations are per node instance and only grow; {@code instanceNumber} is
 * greater than that of every earlier node of the same name.
 */
public record Stat(
    NodeKind kind,
    boolean ephemeral,
    long instanceNumber,
    long contentGeneration,
    long lockGeneration,
    long aclGeneration,
    long contentChecksum,
    int contentLength,
    AclNames acls) {}
