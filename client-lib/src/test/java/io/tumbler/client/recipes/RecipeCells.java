package io.tumbler.client.recipes;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.TumblerClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** The cells and clients the recipe tests share. */
final class RecipeCells {

  /** How long any condition may take: CI is a loaded two-core machine. */
  static final Duration DEADLINE = Duration.ofSeconds(60);

  /** Short leases keep the tests of dead sessions quick; the rules are the same at any length. */
  static final Duration SESSION_LEASE = Duration.ofSeconds(3);

  private RecipeCells() {}

  static EmbeddedCell start(Path dir) throws IOException, InterruptedException {
    return EmbeddedCell.builder(1, dir).sessionLease(SESSION_LEASE).start();
  }

  static TumblerClient client(EmbeddedCell cell) {
    return TumblerClient.builder().cell(cell.connectString()).build();
  }

  static TumblerClient client(EmbeddedCell cell, Duration gracePeriod) {
    return TumblerClient.builder().cell(cell.connectString()).gracePeriod(gracePeriod).build();
  }
}
