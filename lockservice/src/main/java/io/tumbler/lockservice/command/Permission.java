package io.tumbler.lockservice.command;

/**
 * What a handle may do. Each is granted at Open only if the node's ACLs allow it: read by the read
 * ACL, write and lock by the write ACL (acquiring a lock needs write permission), change-ACL by the
 * change-ACL ACL.
 */
public enum Permission {
  READ,
  WRITE,
  LOCK,
  CHANGE_ACL;

  public int bit() {
    return 1 << ordinal();
  }
}
