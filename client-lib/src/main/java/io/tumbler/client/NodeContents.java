package io.tumbler.client;

import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Stat;

/** A file's whole contents with the metadata they go with. */
public record NodeContents(ByteString contents, Stat stat) {

  /** The contents decoded as UTF-8. */
  public String text() {
    return contents.toUtf8();
  }

  public byte[] bytes() {
    return contents.toByteArray();
  }
}
