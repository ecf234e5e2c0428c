package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.InvalidNameException;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Permission;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Permission checks: a principal may do X to a node if the node's X ACL names a file in {@code
 * /ls/<cell>/acl/} that lists the principal or {@code *}.
 */
final class Acls {

  private final LockServiceStateMachine machine;

  Acls(LockServiceStateMachine machine) {
    this.machine = machine;
  }

  /** Whether the ACL file {@code aclName} lists the session's principal (or {@code *}). */
  boolean allowed(Session s, String aclName) {
    Node aclDir = machine.state().root.children.get(LockServiceStateMachine.ACL_DIRECTORY);
    Node file = aclDir == null ? null : aclDir.children.get(aclName);
    if (file == null || file.kind != NodeKind.FILE) {
      return false; // a missing ACL file admits nobody: failing closed
    }
    for (String line : new String(file.contents, StandardCharsets.UTF_8).split("\n", -1)) {
      String principal = line.strip();
      if (principal.equals(LockServiceStateMachine.ANY_PRINCIPAL)
          || principal.equals(s.principal)) {
        return true;
      }
    }
    return false;
  }

  void checkAllowed(Session s, String aclName, String what, NodePath path) {
    if (!allowed(s, aclName)) {
      throw new Refusal(
          ErrorCode.PERMISSION_DENIED,
          "%s may not %s %s (ACL %s)",
          s.principal,
          what,
          path,
          aclName);
    }
  }

  void checkMode(Session s, AclNames acls, Set<Permission> mode) {
    for (Permission p : mode) {
      String acl =
          switch (p) {
            case READ -> acls.read();
            case WRITE, LOCK -> acls.write();
            case CHANGE_ACL -> acls.changeAcl();
          };
      if (!allowed(s, acl)) {
        throw new Refusal(
            ErrorCode.PERMISSION_DENIED, "%s may not open for %s (ACL %s)", s.principal, p, acl);
      }
    }
  }

  void checkAclNames(AclNames acls) {
    for (String name : List.of(acls.read(), acls.write(), acls.changeAcl())) {
      if (name.indexOf('/') >= 0) {
        throw new Refusal(ErrorCode.BAD_NAME, "ACL name %s is not a single component", name);
      }
      try {
        machine
            .state()
            .root
            .path
            .child(LockServiceStateMachine.ACL_DIRECTORY, machine.limits())
            .child(name, machine.limits());
      } catch (InvalidNameException e) {
        throw new Refusal(ErrorCode.BAD_NAME, "bad ACL name: %s", e.getMessage());
      }
    }
  }
}
