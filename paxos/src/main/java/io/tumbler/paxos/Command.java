package io.tumbler.paxos;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;

/**
 * One opaque client command, as the application encoded it. Paxos never looks inside; it only
 * orders commands. Equality is by content so the simulator can compare chosen values.
 */
public record Command(byte[] bytes) {

  public Command {
    checkNotNull(bytes, "bytes");
  }

  public int sizeBytes() {
    return bytes.length;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Command command && Arrays.equals(bytes, command.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "Command[" + bytes.length + " bytes, hash=" + Integer.toHexString(hashCode()) + "]";
  }
}
