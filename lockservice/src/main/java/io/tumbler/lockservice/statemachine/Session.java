package io.tumbler.lockservice.statemachine;

import io.tumbler.lockservice.command.Result;
import java.util.TreeMap;
import java.util.TreeSet;

/** A client session: who it is, what it has open, and the answers it has not yet acknowledged. */
final class Session {
  final long id;
  final String principal;
  final TreeSet<Long> handles = new TreeSet<>();
  int ephemeralHandles;

  /** Every request numbered at or below this has been answered and seen by the client. */
  long ackedThrough;

  /** Results of applied requests above {@link #ackedThrough}, for answering retries. */
  final TreeMap<Long, Result> unackedResults = new TreeMap<>();

  Session(long id, String principal) {
    this.id = id;
    this.principal = principal;
  }

  void acknowledge(long through) {
    if (through > ackedThrough) {
      ackedThrough = through;
      unackedResults.headMap(through, true).clear();
    }
  }
}
