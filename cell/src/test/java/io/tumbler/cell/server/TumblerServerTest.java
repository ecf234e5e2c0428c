package io.tumbler.cell.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The launcher's refusals; running replicas are TumblerServerIT's business. */
class TumblerServerTest {

  private record Run(int exitCode, String stderr) {}

  private static Run run(String... args) {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new TumblerServer()).setErr(new PrintWriter(err, true));
    int exitCode = command.execute(args);
    return new Run(exitCode, err.toString());
  }

  @Test
  void aBadConfigurationIsOneLineOnStderrAndExitCode2(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("replica.yaml");
    Files.writeString(file, "cell: local\nreplicaId: 1\ndataDir: d\nreplicas: []\n");

    Run run = run("--config", file.toString());

    assertThat(run.exitCode()).isEqualTo(TumblerServer.EXIT_BAD_CONFIG).isEqualTo(2);
    assertThat(run.stderr())
        .isEqualTo(
            file + ": field 'replicas' must list at least one replica" + System.lineSeparator());
  }

  @Test
  void aMissingFileOrOptionIsAlsoExitCode2(@TempDir Path dir) {
    Run missingFile = run("--config", dir.resolve("absent.yaml").toString());
    assertThat(missingFile.exitCode()).isEqualTo(2);
    assertThat(missingFile.stderr()).contains("absent.yaml: no such file");

    Run missingOption = run();
    assertThat(missingOption.exitCode()).isEqualTo(2);
    assertThat(missingOption.stderr()).contains("Missing required option: '--config=FILE'");
  }
}
