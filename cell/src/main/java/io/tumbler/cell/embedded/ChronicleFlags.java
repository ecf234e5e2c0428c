package io.tumbler.cell.embedded;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before any replica starts, that this JVM lets Chronicle Queue (each replica's Paxos log)
 * reach the JDK internals it needs. Without the flags it fails deep inside its first memory mapping
 * with an IllegalAccessException that names neither Tumbler nor the fix; this fails first, with the
 * flags to add.
 */
final class ChronicleFlags {

  /** The flags, as the build's {@code chronicle.jvm.flags} property has them. */
  static final String JVM_FLAGS =
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"
          + " --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"
          + " --add-exports=java.base/jdk.internal.util=ALL-UNNAMED"
          + " --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED"
          + " --add-opens=java.base/java.lang=ALL-UNNAMED"
          + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED"
          + " --enable-native-access=ALL-UNNAMED"
          + " -Dchronicle.analytics.disable=true"
          + " -Dchronicle.announcer.disable=true"
          + " -Dchronicle.disk.monitor.disable=true";

  private static final List<String> EXPORTED =
      List.of("sun.nio.ch", "jdk.internal.ref", "jdk.internal.util");
  private static final List<String> OPENED = List.of("java.lang", "java.lang.reflect");

  private ChronicleFlags() {}

  /**
   * @throws IllegalStateException naming the missing flags and every flag to add
   */
  static void require() {
    Module here = ChronicleFlags.class.getModule();
    if (here.isNamed()) {
      // On the module path the flags would name Chronicle's modules, not ALL-UNNAMED: leave it to
      // whoever set that up.
      return;
    }
    Module javaBase = Object.class.getModule();
    List<String> missing = new ArrayList<>();
    for (String pkg : EXPORTED) {
      if (!javaBase.isExported(pkg, here)) {
        missing.add("--add-exports=java.base/" + pkg + "=ALL-UNNAMED");
      }
    }
    for (String pkg : OPENED) {
      if (!javaBase.isOpen(pkg, here)) {
        missing.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "EmbeddedCell runs replicas whose Paxos log (Chronicle Queue) needs JVM flags this JVM"
              + " was not started with (missing "
              + String.join(" ", missing)
              + "). Put these in surefire's or failsafe's <argLine> (docs/client-guide.md,"
              + " \"EmbeddedCell\"): "
              + JVM_FLAGS);
    }
  }
}
