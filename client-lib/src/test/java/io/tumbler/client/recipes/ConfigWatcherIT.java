package io.tumbler.client.recipes;

import static io.tumbler.client.recipes.RecipeCells.DEADLINE;
import static io.tumbler.client.recipes.RecipeCells.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.Handle;
import io.tumbler.client.NodeContents;
import io.tumbler.client.OpenOptions;
import io.tumbler.client.TumblerClient;
import io.tumbler.client.TumblerException.NotFoundException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A watched configuration file against a real cell: absent, written, deleted, failed over. */
class ConfigWatcherIT {

  @TempDir static Path dir;
  private static EmbeddedCell cell;

  @BeforeAll
  static void startCell() throws Exception {
    cell = RecipeCells.start(dir.resolve("shared"));
  }

  @AfterAll
  static void stopCell() {
    if (cell != null) {
      cell.close();
    }
  }

  /** Each value told, as text or "absent". */
  private static ConfigWatcher.Listener into(List<String> told) {
    return value -> told.add(value.map(NodeContents::text).orElse("absent"));
  }

  private static void mkdir(TumblerClient client, String path) {
    client.open(path, OpenOptions.read().directory()).close();
  }

  @Test
  void aFileNotWrittenYetIsToldAbsentThenEveryValueItTakes() {
    String path = "/ls/local/svc-a/config";
    List<String> told = new CopyOnWriteArrayList<>();
    try (TumblerClient watcherClient = client(cell);
        TumblerClient writer = client(cell)) {
      mkdir(writer, "/ls/local/svc-a");
      try (ConfigWatcher config = ConfigWatcher.start(watcherClient, path, into(told))) {
        assertThat(told).containsExactly("absent");
        assertThat(config.current()).isEmpty();

        Handle file =
            writer.open(path, OpenOptions.readWrite().createIfAbsent().initialContents("v1"));
        await().atMost(DEADLINE).until(() -> config.currentText().equals(Optional.of("v1")));
        file.setContents("v2");
        await().atMost(DEADLINE).until(() -> config.currentText().equals(Optional.of("v2")));
        file.delete();
        await().atMost(DEADLINE).until(() -> config.current().isEmpty());
        writer.open(path, OpenOptions.readWrite().mustCreate().initialContents("v3")).close();
        await().atMost(DEADLINE).until(() -> config.currentText().equals(Optional.of("v3")));

        assertThat(told).containsExactly("absent", "v1", "v2", "absent", "v3");
      }
    }
  }

  @Test
  void anExistingFileIsToldAtStartAndAnUnchangedWriteIsToldOnlyAsANewGeneration() {
    String path = "/ls/local/svc-b/config";
    List<String> told = new CopyOnWriteArrayList<>();
    try (TumblerClient watcherClient = client(cell);
        TumblerClient writer = client(cell)) {
      mkdir(writer, "/ls/local/svc-b");
      try (Handle file =
              writer.open(path, OpenOptions.readWrite().createIfAbsent().initialContents("x=1"));
          ConfigWatcher config = ConfigWatcher.start(watcherClient, path, into(told))) {
        assertThat(told).containsExactly("x=1");
        long generation = config.current().orElseThrow().stat().contentGeneration();
        file.setContents("x=2");
        await()
            .atMost(DEADLINE)
            .until(() -> config.current().orElseThrow().stat().contentGeneration() > generation);
        assertThat(told).containsExactly("x=1", "x=2");
      }
    }
  }

  @Test
  void aMissingDirectoryIsRefusedAtStart() {
    try (TumblerClient c = client(cell)) {
      assertThatThrownBy(() -> ConfigWatcher.start(c, "/ls/local/nowhere/config", v -> {}))
          .isInstanceOf(NotFoundException.class);
    }
  }

  /** A one-replica cell dies and comes back: the watcher keeps its session and hears new writes. */
  @Test
  void theWatcherGoesOnAfterTheCellRestarts(@TempDir Path own) throws Exception {
    String path = "/ls/local/svc-c/config";
    List<String> told = new CopyOnWriteArrayList<>();
    try (EmbeddedCell alone = RecipeCells.start(own);
        TumblerClient watcherClient = RecipeCells.client(alone, DEADLINE);
        TumblerClient writer = RecipeCells.client(alone, DEADLINE)) {
      mkdir(writer, "/ls/local/svc-c");
      writer.open(path, OpenOptions.readWrite().createIfAbsent().initialContents("before")).close();
      try (ConfigWatcher config = ConfigWatcher.start(watcherClient, path, into(told))) {
        assertThat(config.currentText()).contains("before");

        alone.restart(alone.killMaster());

        try (Handle file = writer.open(path, OpenOptions.readWrite())) {
          file.setContents("after");
        }
        await().atMost(DEADLINE).until(() -> config.currentText().equals(Optional.of("after")));
        assertThat(told).containsExactly("before", "after");
      }
    }
  }
}
