package io.tumbler.bench.driver;

import io.tumbler.cell.embedded.EmbeddedCell;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@link TumblerDriver} against a three-replica cell in this JVM. */
class TumblerDriverIT extends DriverSmokeTests {

  @TempDir static Path dir;
  private static EmbeddedCell cell;

  @BeforeAll
  static void startCell() {
    cell = EmbeddedCell.start(3, dir);
  }

  @AfterAll
  static void stopCell() {
    cell.close();
  }

  @Override
  protected List<String> addresses() {
    return cell.clientAddresses();
  }

  @Override
  protected Driver newDriver() {
    return TumblerDriver.uncached();
  }
}
