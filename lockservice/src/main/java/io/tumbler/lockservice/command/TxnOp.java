package io.tumbler.lockservice.command;

import static com.google.common.base.Preconditions.checkArgument;

/** One step of a {@link Request.Transaction}: checks first, then writes, in the order given. */
public sealed interface TxnOp {

  String path();

  /** Holds if the node exists ({@code exists}) or does not. */
  record CheckExists(String path, boolean exists) implements TxnOp {
    public CheckExists {
      checkArgument(path != null, "path must be set");
    }
  }

  record CheckContentGeneration(String path, long contentGeneration) implements TxnOp {
    public CheckContentGeneration {
      checkArgument(path != null, "path must be set");
    }
  }

  /** Replaces an existing file's contents. */
  record PutContents(String path, ByteString contents) implements TxnOp {
    public PutContents {
      checkArgument(path != null && contents != null, "path and contents must be set");
    }
  }

  /** Creates a permanent node with the parent's ACL names. */
  record Create(String path, NodeKind kind, ByteString contents) implements TxnOp {
    public Create {
      checkArgument(
          path != null && kind != null && contents != null, "path, kind and contents must be set");
    }
  }

  /** Deletes a childless node; handles others hold on it become invalid. */
  record Remove(String path) implements TxnOp {
    public Remove {
      checkArgument(path != null, "path must be set");
    }
  }
}
