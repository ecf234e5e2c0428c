package io.tumbler.cell.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryLockTest {

  @Test
  void aSecondReplicaOnTheSameDirectoryIsRefusedUntilTheFirstLetsGo(@TempDir Path root)
      throws IOException {
    Path dataDir = root.resolve("replica-1");

    try (DataDirectoryLock first = DataDirectoryLock.acquire(dataDir)) {
      assertThat(Files.readString(dataDir.resolve(DataDirectoryLock.FILE_NAME)).strip())
          .isEqualTo(Long.toString(ProcessHandle.current().pid()));
      assertThatThrownBy(() -> DataDirectoryLock.acquire(dataDir))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(
              "is in use by another replica (pid " + ProcessHandle.current().pid());
    }
    DataDirectoryLock.acquire(dataDir).close();
  }
}
