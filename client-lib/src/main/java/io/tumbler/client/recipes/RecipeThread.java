package io.tumbler.client.recipes;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recipe's own thread: every change of the recipe's state, and every call of its listener, runs
 * here, one at a time, in the order it was submitted. Blocking calls on handles are allowed here
 * (they would delay every other handle's events on the client's event thread).
 */
final class RecipeThread implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RecipeThread.class);

  private final ExecutorService executor;
  private volatile Thread thread;

  RecipeThread(String name) {
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "tumbler-" + name);
              t.setDaemon(true);
              thread = t;
              return t;
            });
  }

  /** Runs {@code task} later; a throwing task is logged. Does nothing once closed. */
  void run(Runnable task) {
    try {
      executor.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException e) {
              log.warn("a recipe step failed; the recipe goes on", e);
            }
          });
    } catch (RejectedExecutionException closed) {
      // closed: nothing more happens
    }
  }

  /** Runs {@code task} here and waits for it; at once if called from this thread. */
  <T> T call(Supplier<T> task) {
    if (isCurrent()) {
      return task.get();
    }
    CompletableFuture<T> done = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            try {
              done.complete(task.get());
            } catch (RuntimeException e) {
              done.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException closed) {
      throw new IllegalStateException("the recipe is closed");
    }
    try {
      return done.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  void callVoid(Runnable task) {
    call(
        () -> {
          task.run();
          return null;
        });
  }

  boolean isCurrent() {
    return Thread.currentThread() == thread;
  }

  /** Stops taking work; lets what is queued finish (up to 5 s unless called from this thread). */
  @Override
  public void close() {
    executor.shutdown();
    if (isCurrent()) {
      return;
    }
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
