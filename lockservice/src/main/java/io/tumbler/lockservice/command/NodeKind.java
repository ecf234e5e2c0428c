package io.tumbler.lockservice.command;

public enum NodeKind {
  FILE,
  DIRECTORY
}
