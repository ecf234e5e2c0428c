package io.tumbler.chaos.nemesis;

import java.util.Locale;

/** The kinds of fault the nemesis can be told to use ({@code scripts/chaos --nemesis ...}). */
public enum FaultKind {
  /** {@code kill -9} one replica, sometimes the master, and restart it a while later. */
  KILL,
  /** SIGSTOP one replica, sometimes the master, for longer than the master lease; then SIGCONT. */
  PAUSE,
  /**
   * Cut the network: a minority from a majority, the master from everyone, one direction only, or
   * the clients from a replica; then heal.
   */
  PARTITION,
  /**
   * {@code kill -9} a majority at once, the master among them, with the minority frozen until the
   * restarted majority has a master: only what the killed majority persisted can survive. The
   * durability test's fault; off unless asked for.
   */
  KILL_MAJORITY;

  /** The name on the command line: {@code kill}, {@code pause}, {@code partition}, ... */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * @throws IllegalArgumentException naming the kinds there are
   */
  public static FaultKind fromCli(String name) {
    for (FaultKind k : values()) {
      if (k.cliName().equals(name.trim())) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "no fault kind '" + name + "'; there are kill, pause, partition, kill-majority");
  }
}
