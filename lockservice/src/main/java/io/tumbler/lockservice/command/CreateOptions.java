package io.tumbler.lockservice.command;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * What Open does when the node is absent.
 *
 * @param ifAbsent create the node if it does not exist
 * @param mustCreate fail with EXISTS if it does exist (implies {@code ifAbsent})
 * @param sequential append the cell-wide sequence number to the last component (implies a create)
 * @param acls the new node's ACL names, or null to inherit the parent's
 */
public record CreateOptions(
    boolean ifAbsent,
    boolean mustCreate,
    boolean sequential,
    boolean ephemeral,
    NodeKind kind,
    ByteString initialContents,
    AclNames acls) {

  public static final CreateOptions NONE =
      new CreateOptions(false, false, false, false, NodeKind.FILE, ByteString.EMPTY, null);

  public CreateOptions {
    checkArgument(kind != null && initialContents != null, "kind and contents must be set");
  }

  public boolean creates() {
    return ifAbsent || mustCreate || sequential;
  }

  public static CreateOptions file(boolean ephemeral, ByteString contents) {
    return new CreateOptions(true, false, false, ephemeral, NodeKind.FILE, contents, null);
  }

  public static CreateOptions directory(boolean ephemeral) {
    return new CreateOptions(
        true, false, false, ephemeral, NodeKind.DIRECTORY, ByteString.EMPTY, null);
  }
}
