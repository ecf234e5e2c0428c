package io.tumbler.paxos.durable;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a test class's {@code main} in a fresh JVM with this JVM's classpath and Chronicle flags.
 * Its stdout is the protocol the test reads; its stderr goes to a file of its own, since a library
 * warning interleaved into stdout could hide or corrupt a line the test must see.
 */
final class ChildJvm {

  private ChildJvm() {}

  static Process start(Path stderr, Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (argument.startsWith("--add-")
          || argument.startsWith("--enable-native-access")
          || argument.startsWith("-Dchronicle")) {
        command.add(argument);
      }
    }
    command.add("-cp");
    // Surefire and failsafe put the test classpath here; java.class.path is only their booter.
    command.add(
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add(main.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
  }

  /**
   * Kills {@code child} with SIGKILL, leaving everything it wrote to stdout readable to the end.
   *
   * <p>Not {@link Process#destroyForcibly()}: besides sending the signal it closes this JVM's end
   * of the child's pipes, so what the child wrote but this JVM had not yet read is thrown away and
   * the reader gets "Stream closed". Those are the child's last lines, the ones a crash test needs
   * most; and the more loaded the machine, the further the reader lags. A {@link ProcessHandle}
   * only sends the signal, and the child's stdout still reads to its end.
   */
  static void killNine(Process child) {
    child.toHandle().destroyForcibly();
  }
}
