package io.tumbler.paxos.planted;

import io.tumbler.lockservice.NodePath;

/**
 * A planted bug for {@code ModuleBoundariesTest}: a class in the paxos package space that uses the
 * lock service, which the design forbids. Test code only; the boundary check of main code never
 * imports it.
 */
public final class PlantedPaxosViolation {

  private PlantedPaxosViolation() {}

  public static String leaks() {
    return NodePath.parse("/ls/local/x").cell();
  }
}
