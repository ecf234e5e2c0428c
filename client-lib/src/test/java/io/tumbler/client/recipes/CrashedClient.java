package io.tumbler.client.recipes;

import io.tumbler.client.TumblerClient;
import io.tumbler.client.transport.CellSession;
import java.lang.reflect.Field;

/**
 * What a crashed process leaves behind: its connection drops and no EndSession is sent, so the
 * master keeps the session (its locks, its ephemeral files) until its lease runs out, then frees
 * its locks after their lock-delay. {@link TumblerClient#close()} ends the session cleanly instead;
 * the client has no public way to die, so a test reaches its transport.
 */
final class CrashedClient {

  private CrashedClient() {}

  static void crash(TumblerClient client) {
    try {
      Field f = TumblerClient.class.getDeclaredField("session");
      f.setAccessible(true);
      ((CellSession) f.get(client)).close();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("TumblerClient changed: no session field", e);
    }
  }
}
