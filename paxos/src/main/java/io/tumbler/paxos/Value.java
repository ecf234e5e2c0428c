package io.tumbler.paxos;

import java.util.List;

/**
 * What one slot holds: a batch of commands, or a no-op (an empty batch) that a new master uses to
 * fill a hole in the log.
 */
public record Value(List<Command> commands) {

  public static final Value NOOP = new Value(List.of());

  public Value {
    commands = List.copyOf(commands);
  }

  public boolean isNoop() {
    return commands.isEmpty();
  }

  public int sizeBytes() {
    int total = 0;
    for (Command command : commands) {
      total += command.sizeBytes();
    }
    return total;
  }

  @Override
  public String toString() {
    return isNoop() ? "NOOP" : "Value" + commands;
  }
}
