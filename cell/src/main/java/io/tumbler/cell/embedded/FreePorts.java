package io.tumbler.cell.embedded;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback ports nobody listens on, for an embedded cell's replicas. A port picked here can still
 * be taken before a replica binds it (by another test, or by an outgoing connection given it as its
 * local port), so callers retry when {@link #addressInUse} says that is what went wrong.
 */
final class FreePorts {

  private FreePorts() {}

  /**
   * {@code count} distinct free ports on 127.0.0.1. The operating system picks each; all are held
   * open until every one is picked, so none is handed out twice.
   */
  static List<Integer> loopback(int count) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        held.add(socket);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ports.add(socket.getLocalPort());
      }
      return List.copyOf(ports);
    } finally {
      for (ServerSocket socket : held) {
        socket.close();
      }
    }
  }

  /**
   * Whether {@code failure} comes from binding a port someone else holds. Netty's native transport
   * reports it as an IOException of its own whose message carries the system's words, NIO as a
   * {@link BindException}.
   */
  static boolean addressInUse(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      String message = t.getMessage();
      if (t instanceof IOException
          && message != null
          && message.toLowerCase(java.util.Locale.ROOT).contains("address already in use")) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
