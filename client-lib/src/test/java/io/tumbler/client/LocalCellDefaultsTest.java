package io.tumbler.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client given no addresses must find the cell {@code scripts/cell start} runs by default. The
 * script and {@link CellAddresses#LOCAL_CELL} each state the addresses; this keeps them equal.
 */
class LocalCellDefaultsTest {

  @Test
  void theDefaultAddressesAreThoseOfTheScriptsDefaultCell(@TempDir Path emptyDir)
      throws IOException, InterruptedException {
    Path script = Path.of("..", "scripts", "cell").toAbsolutePath().normalize();
    // An empty --dir, so that no cell remembered on this machine changes the answer.
    Process process =
        new ProcessBuilder("bash", script.toString(), "addresses", "--dir", emptyDir.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output.strip()).isEqualTo(CellAddresses.LOCAL_CELL);
    assertThat(CellAddresses.localCell().replicas()).hasSize(3);
  }
}
