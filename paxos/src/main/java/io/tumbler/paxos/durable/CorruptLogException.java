package io.tumbler.paxos.durable;

import java.io.IOException;

/**
 * The log holds a bad record where only good ones may be: inside a sealed segment, or a gap between
 * segments. Unlike a torn tail, this cannot come from a crash, and cutting it off could make the
 * replica forget a promise or an accept it already acknowledged. The replica must not rejoin the
 * cell as an acceptor on this log; an operator replaces its data directory and lets it catch up
 * from the master.
 */
public final class CorruptLogException extends IOException {

  private static final long serialVersionUID = 1L;

  CorruptLogException(String message) {
    super(message);
  }
}
