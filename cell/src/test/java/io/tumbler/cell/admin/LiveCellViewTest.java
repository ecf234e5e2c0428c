package io.tumbler.cell.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tumbler.cell.admin.CellView.AdminUnavailable;
import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.ReplicaAddresses;
import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine.Inspection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class LiveCellViewTest {

  private static final CellConfig CONFIG =
      new CellConfig(
          "local",
          1,
          "data",
          List.of(new ReplicaAddresses(1, "127.0.0.1:7201", "127.0.0.1:7101", "127.0.0.1:7301")));

  private static LiveCellView view(
      Predicate<Runnable> applier, Function<String, Optional<Inspection>> browser) {
    return new LiveCellView(
        CONFIG, () -> null, () -> ServiceStatus.STARTING, applier, browser, 200);
  }

  @Test
  void browsingRunsOnTheApplier() throws Exception {
    Thread[] ranOn = new Thread[1];
    Predicate<Runnable> applier =
        task -> {
          Thread thread = new Thread(task, "applier");
          thread.start();
          return true;
        };
    LiveCellView view =
        view(
            applier,
            path -> {
              ranOn[0] = Thread.currentThread();
              return Optional.empty();
            });

    assertThat(view.browse("/ls/local/x").get(30, TimeUnit.SECONDS)).isEmpty();
    assertThat(ranOn[0].getName()).isEqualTo("applier");
  }

  @Test
  void aFullInboxOrASilentApplierIsUnavailableNotAHang() {
    assertThatThrownBy(
            () -> view(task -> false, path -> Optional.empty()).browse("/ls/local").get())
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(AdminUnavailable.class);
    assertThatThrownBy(
            () ->
                view(task -> true, path -> Optional.empty())
                    .browse("/ls/local")
                    .get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(AdminUnavailable.class)
        .hasMessageContaining("did not answer within 200 ms");
  }

  @Test
  void aFailingBrowseFailsThePageNotTheApplier() {
    Predicate<Runnable> applier =
        task -> {
          task.run(); // would throw out of the applier if the view did not catch
          return true;
        };
    LiveCellView view =
        view(
            applier,
            path -> {
              throw new IllegalStateException("boom");
            });

    assertThatThrownBy(() -> view.browse("/ls/local").get(30, TimeUnit.SECONDS))
        .hasCauseInstanceOf(IllegalStateException.class);
  }
}
