package io.tumbler.client.recipes;

import static io.tumbler.client.recipes.RecipeCells.DEADLINE;
import static io.tumbler.client.recipes.RecipeCells.client;
import static org.assertj.core.api.Assertions.assertThat;

import io.tumbler.cell.embedded.EmbeddedCell;
import io.tumbler.client.TumblerClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task queue against a real cell: competing workers, an abandoned task, a dead worker. */
class TaskQueueIT {

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

  private static TaskQueue queue(TumblerClient client, String path) {
    return TaskQueue.builder(client, path)
        .lockDelay(Duration.ofSeconds(2))
        .rescanInterval(Duration.ofMillis(200))
        .open();
  }

  @Test
  void competingWorkersProcessEveryTaskExactlyOnce() throws Exception {
    String path = "/ls/local/jobs-a-queue";
    int tasks = 20;
    try (TumblerClient producer = client(cell);
        TaskQueue out = queue(producer, path)) {
      for (int i = 0; i < tasks; i++) {
        out.add("job " + i);
      }
      List<String> processed = new CopyOnWriteArrayList<>();
      ExecutorService workers = Executors.newFixedThreadPool(3);
      List<TumblerClient> clients = new ArrayList<>();
      List<Future<?>> running = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        TumblerClient client = client(cell);
        clients.add(client);
        running.add(
            workers.submit(
                () -> {
                  try (TaskQueue in = queue(client, path)) {
                    Optional<TaskQueue.Task> task;
                    while ((task = in.claim(Duration.ofSeconds(1))).isPresent()) {
                      processed.add(task.get().text());
                      task.get().complete();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : running) {
        f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      }
      workers.shutdown();
      clients.forEach(TumblerClient::close);

      assertThat(processed)
          .containsExactlyInAnyOrderElementsOf(
              IntStream.range(0, tasks).mapToObj(i -> "job " + i).toList());
      assertThat(out.tasks()).isEmpty();
    }
  }

  @Test
  void tasksAreClaimedOldestFirstAndAnAbandonedTaskIsFreeAtOnce() {
    String path = "/ls/local/jobs-b-queue";
    try (TumblerClient a = client(cell);
        TumblerClient b = client(cell);
        TaskQueue qa = queue(a, path);
        TaskQueue qb = queue(b, path)) {
      String first = qa.add("first");
      qa.add("second");
      assertThat(qa.tasks()).hasSize(2);

      TaskQueue.Task held = qa.tryClaim().orElseThrow();
      assertThat(held.path()).isEqualTo(first);
      assertThat(held.fence().path()).isEqualTo(first);
      TaskQueue.Task other = qb.tryClaim().orElseThrow();
      assertThat(other.text()).isEqualTo("second");
      assertThat(qb.tryClaim()).as("both are held").isEmpty();

      held.abandon();
      TaskQueue.Task again = qb.tryClaim().orElseThrow();
      assertThat(again.text()).isEqualTo("first");
      again.complete();
      other.complete();
      assertThat(qa.tasks()).isEmpty();
    }
  }

  @Test
  void aDeadWorkersTaskIsClaimedByAnotherAfterTheLockDelay() throws Exception {
    String path = "/ls/local/jobs-c-queue";
    TumblerClient dying = client(cell);
    try (TumblerClient survivor = client(cell);
        TaskQueue qs = queue(survivor, path)) {
      qs.add("only");
      TaskQueue.Task lost = queue(dying, path).tryClaim().orElseThrow();
      assertThat(qs.tryClaim()).isEmpty();

      long diedAt = System.nanoTime();
      CrashedClient.crash(dying);

      TaskQueue.Task task = qs.claim(DEADLINE).orElseThrow();
      assertThat(Duration.ofNanos(System.nanoTime() - diedAt))
          .as("not before the queue's lock-delay, which starts when the session expires")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
      assertThat(task.text()).isEqualTo("only");
      assertThat(task.fence().lockGeneration()).isGreaterThan(lost.fence().lockGeneration());
      assertThat(survivor.checkSequencer(lost.fence().bytes())).isFalse();
      task.complete();
      assertThat(qs.tasks()).isEmpty();
    }
  }
}
