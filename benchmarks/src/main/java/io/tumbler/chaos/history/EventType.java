package io.tumbler.chaos.history;

/**
 * The {@code type} of a history event: a client invoked an operation, or the operation completed in
 * one of three ways that a checker must treat differently.
 */
public enum EventType {
  /** The client is about to send the operation. */
  INVOKE("invoke"),
  /** The operation took effect, and the completion says with what result. */
  OK("ok"),
  /** The operation certainly did not take effect (refused before it could be applied). */
  FAIL("fail"),
  /**
   * Indeterminate: the client does not know whether the operation took effect (a timeout, a lost
   * connection, a session that expired while the call was in flight). It may take effect at any
   * time after its invoke, even after this completion was recorded, or never.
   */
  INFO("info");

  private final String jsonName;

  EventType(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name in a history file. */
  public String jsonName() {
    return jsonName;
  }

  /** Whether this ends an operation (anything but an invoke). */
  public boolean completes() {
    return this != INVOKE;
  }

  /**
   * The type named {@code name} in a history file.
   *
   * @throws IllegalArgumentException if there is none
   */
  public static EventType fromJson(String name) {
    for (EventType t : values()) {
      if (t.jsonName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("type must be invoke, ok, fail or info, not '" + name + "'");
  }
}
