package io.tumbler.lockservice.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.Applied;
import io.tumbler.lockservice.command.ByteString;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CreateOptions;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.EventDelivery;
import io.tumbler.lockservice.command.EventKind;
import io.tumbler.lockservice.command.Permission;
import io.tumbler.lockservice.command.Request;
import io.tumbler.lockservice.command.Result;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Drives one state machine the way a master would: indexes, request numbers, the clock. */
final class TestCell {
  static final String CELL = "test";
  static final Set<Permission> ALL = EnumSet.allOf(Permission.class);
  static final Set<EventKind> ALL_EVENTS = EnumSet.allOf(EventKind.class);

  final LockServiceStateMachine machine;
  long index;
  long nowMs = 1_000;
  private final Map<Long, Long> lastRequest = new HashMap<>();
  List<EventDelivery> events = List.of();

  /** Whether each request acknowledges the ones before it; off, to leave room for retries. */
  boolean acknowledge = true;

  TestCell() {
    this(LockServiceStateMachine.openCell(CELL));
  }

  TestCell(LockServiceStateMachine machine) {
    this.machine = machine;
  }

  static TestCell withBug(PlantedBug bug) {
    return new TestCell(new LockServiceStateMachine(CELL, Limits.DEFAULTS, List.of("*"), bug));
  }

  Applied apply(Command command) {
    Applied applied = machine.apply(++index, command);
    events = applied.events();
    return applied;
  }

  long session(String principal) {
    return ((Result.SessionCreated) apply(new Command.CreateSession(nowMs, principal)).result())
        .session();
  }

  long session() {
    return session("anonymous");
  }

  Result call(long session, Request request) {
    long number = lastRequest.merge(session, 1L, Long::sum);
    long acked = acknowledge ? number - 1 : 0;
    return apply(new Command.ClientRequest(nowMs, session, number, acked, request)).result();
  }

  /** Sends request number {@code number} again, as a client retrying after a lost reply. */
  Result retry(long session, long number, Request request) {
    return apply(new Command.ClientRequest(nowMs, session, number, 0, request)).result();
  }

  long lastRequestNumber(long session) {
    return lastRequest.get(session);
  }

  Result.Opened open(long session, String name, CreateOptions create) {
    return open(session, name, ALL, create);
  }

  Result.Opened open(long session, String name, Set<Permission> mode, CreateOptions create) {
    Result r = call(session, new Request.Open(path(name), mode, ALL_EVENTS, 0, create));
    assertThat(r).isInstanceOf(Result.Opened.class);
    return (Result.Opened) r;
  }

  long file(long session, String name) {
    return open(session, name, CreateOptions.file(false, ByteString.EMPTY)).handle();
  }

  long dir(long session, String name) {
    return open(session, name, CreateOptions.directory(false)).handle();
  }

  Result openResult(long session, String name, Set<Permission> mode, CreateOptions create) {
    return call(session, new Request.Open(path(name), mode, ALL_EVENTS, 0, create));
  }

  void advance(long ms) {
    nowMs += ms;
  }

  Applied expire(long session) {
    return apply(new Command.ExpireSession(nowMs, session));
  }

  Applied tick() {
    return apply(new Command.Tick(nowMs));
  }

  static String path(String name) {
    return "/ls/" + CELL + (name.isEmpty() ? "" : "/" + name);
  }

  static void assertFails(Result result, ErrorCode code) {
    assertThat(result).isInstanceOf(Result.Failure.class);
    assertThat(((Result.Failure) result).code()).isEqualTo(code);
  }
}
