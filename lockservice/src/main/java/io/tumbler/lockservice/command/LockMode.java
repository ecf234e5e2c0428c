package io.tumbler.lockservice.command;

/** Reader/writer lock modes: one exclusive holder, or any number of shared holders. */
public enum LockMode {
  EXCLUSIVE,
  SHARED;

  public boolean compatibleWith(LockMode other) {
    return this == SHARED && other == SHARED;
  }
}
