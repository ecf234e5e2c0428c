package io.tumbler.lockservice.command;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The three ACL names of a node: each names a file in {@code /ls/<cell>/acl/} whose lines are the
 * principals allowed to read, write, or change the ACL names.
 */
public record AclNames(String read, String write, String changeAcl) {

  public AclNames {
    checkArgument(read != null && write != null && changeAcl != null, "ACL names must be set");
  }

  public static AclNames all(String name) {
    return new AclNames(name, name, name);
  }
}
