package io.tumbler.cell.admin;

import com.google.common.escape.Escaper;
import com.google.common.html.HtmlEscapers;
import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.ReplicaAddresses;
import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.cell.replica.ReplicaStatus;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.Stat;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine.Inspection;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The admin status page: plain HTML, no scripts. Everything that comes from users or the network
 * (paths, names, contents, failure texts, addresses) is escaped, since node names and contents are
 * whatever clients wrote.
 */
final class StatusPage {

  /** Bytes of a file's contents shown per line of the hex view. */
  static final int HEX_BYTES_PER_LINE = 16;

  private static final Escaper HTML = HtmlEscapers.htmlEscaper();

  private final StringBuilder html = new StringBuilder(4096);

  private StatusPage() {}

  /** What the tree browser shows under the status. */
  sealed interface Browse {}

  /** No node asked for. */
  record NothingAsked() implements Browse {}

  /** The node asked for, found. */
  record Found(Inspection listing) implements Browse {}

  /** Asked for, but there is no such node, or the request could not be served. */
  record Problem(String path, String message) implements Browse {}

  static String render(CellView view, Browse browse) {
    StatusPage page = new StatusPage();
    page.write(view, browse);
    return page.html.toString();
  }

  private void write(CellView view, Browse browse) {
    CellConfig config = view.config();
    ReplicaStatus replica = view.replica();
    ServiceStatus service = view.service();
    String title = "Tumbler cell " + config.cell() + ", replica " + config.replicaId();
    html.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
        .append(HTML.escape(title))
        .append("</title>\n<style>")
        .append("body{font-family:sans-serif;margin:1.5em}")
        .append("table{border-collapse:collapse;margin-bottom:1em}")
        .append("td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}")
        .append("pre{background:#f4f4f4;padding:6px}.bad{color:#b00}")
        .append("</style></head><body>\n<h1>")
        .append(HTML.escape(title))
        .append("</h1>\n");
    writeReplica(config, replica, service);
    writeMembers(config, replica);
    writeBrowser(config, browse);
    html.append("<p><a href=\"/metrics\">metrics</a> · <a href=\"/health\">health</a></p>\n")
        .append("</body></html>\n");
  }

  private void writeReplica(CellConfig config, ReplicaStatus replica, ServiceStatus service) {
    html.append("<h2>This replica</h2>\n<table>\n");
    if (replica == null) {
      row("state", "starting");
    } else {
      Health health = Health.of(replica, service);
      row("role", replica.role().name());
      row("master", master(config, replica.leaderHint()));
      row("epoch", Long.toString(replica.epoch()));
      row("master lease held", replica.holdsLease() ? "yes" : "no");
      row("commit index", Long.toString(replica.commitIndex()));
      row("applied index", Long.toString(replica.appliedIndex()));
      row("health", health.healthy() ? "ok" : "not in service");
      if (replica.failure().isPresent()) {
        html.append("<tr><th>failure</th><td class=\"bad\">")
            .append(HTML.escape(replica.failure().get()))
            .append("</td></tr>\n");
      } else if (health.body().get("failure") instanceof String why) {
        row("why", why);
      }
    }
    if (service != null) {
      row("service phase", service.phase());
      row("sessions", Integer.toString(service.sessions()));
      row("held locks", Integer.toString(service.heldLocks()));
      row("nodes", Integer.toString(service.nodes()));
      row("connected clients", Integer.toString(service.connectedClients()));
      row("pending invalidations", Integer.toString(service.pendingInvalidations()));
      row("applied command index", Long.toString(service.appliedCommandIndex()));
    }
    row("data directory", config.dataDir());
    html.append("</table>\n");
  }

  private static String master(CellConfig config, int masterId) {
    if (masterId < 0) {
      return "none known";
    }
    Optional<ReplicaAddresses> master = config.replica(masterId);
    return master.isPresent()
        ? "replica " + masterId + " (" + master.get().client() + ")"
        : "replica " + masterId;
  }

  private void writeMembers(CellConfig config, ReplicaStatus replica) {
    html.append("<h2>Members</h2>\n<table>\n")
        .append("<tr><th>id</th><th>clients</th><th>peers</th><th>admin</th><th></th></tr>\n");
    for (ReplicaAddresses member : config.replicas()) {
      String note = "";
      if (member.id() == config.replicaId()) {
        note = "this replica";
      }
      if (replica != null && member.id() == replica.leaderHint()) {
        note = note.isEmpty() ? "master" : note + ", master";
      }
      String admin = "http://" + member.admin() + "/";
      html.append("<tr><td>")
          .append(member.id())
          .append("</td><td>")
          .append(HTML.escape(member.client()))
          .append("</td><td>")
          .append(HTML.escape(member.peer()))
          .append("</td><td><a href=\"")
          .append(HTML.escape(admin))
          .append("\">")
          .append(HTML.escape(member.admin()))
          .append("</a></td><td>")
          .append(HTML.escape(note))
          .append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private void writeBrowser(CellConfig config, Browse browse) {
    String root = "/ls/" + config.cell();
    String shown =
        browse instanceof Found found
            ? found.listing().path()
            : browse instanceof Problem problem ? problem.path() : root;
    html.append("<h2>Browse</h2>\n<form method=\"get\" action=\"/\">")
        .append("<input name=\"path\" size=\"60\" value=\"")
        .append(HTML.escape(shown))
        .append("\"> <button>show</button></form>\n");
    if (browse instanceof NothingAsked) {
      html.append("<p>").append(link(root, root)).append("</p>\n");
    } else if (browse instanceof Problem problem) {
      html.append("<p class=\"bad\">")
          .append(HTML.escape(problem.path()))
          .append(": ")
          .append(HTML.escape(problem.message()))
          .append("</p>\n");
    } else if (browse instanceof Found found) {
      writeListing(root, found.listing());
    } else {
      throw new AssertionError("unknown browse " + browse);
    }
  }

  private void writeListing(String root, Inspection listing) {
    String path = listing.path();
    html.append("<h3>").append(HTML.escape(path)).append("</h3>\n");
    int slash = path.lastIndexOf('/');
    if (!path.equals(root) && slash > 0) {
      String parent = path.substring(0, slash);
      html.append("<p>up: ").append(link(parent, parent)).append("</p>\n");
    }
    Stat stat = listing.stat();
    html.append("<table>\n");
    row("kind", stat.kind().name() + (stat.ephemeral() ? ", ephemeral" : ""));
    row("instance number", Long.toString(stat.instanceNumber()));
    row("content generation", Long.toString(stat.contentGeneration()));
    row("lock generation", Long.toString(stat.lockGeneration()));
    row("ACL generation", Long.toString(stat.aclGeneration()));
    row("content checksum", String.format("%016x", stat.contentChecksum()));
    row("content length", stat.contentLength() + " bytes");
    row(
        "ACL names (read, write, change ACL)",
        stat.acls().read() + ", " + stat.acls().write() + ", " + stat.acls().changeAcl());
    html.append("</table>\n");
    if (!listing.children().isEmpty()) {
      html.append("<h4>Children</h4>\n<ul>\n");
      String prefix = path.endsWith("/") ? path : path + "/";
      for (ChildEntry child : listing.children()) {
        String name = child.name() + (child.stat().ephemeral() ? " (ephemeral)" : "");
        html.append("<li>").append(link(prefix + child.name(), name)).append("</li>\n");
      }
      if (listing.more()) {
        html.append("<li>… and more</li>\n");
      }
      html.append("</ul>\n");
    }
    byte[] contents = listing.contentsPrefix();
    if (contents.length > 0) {
      html.append("<h4>Contents");
      if (contents.length < stat.contentLength()) {
        html.append(" (first ").append(contents.length).append(" bytes)");
      }
      html.append("</h4>\n<pre>").append(HTML.escape(readable(contents))).append("</pre>\n");
    }
  }

  /** The bytes as text if they are printable UTF-8, else as a hex dump. */
  static String readable(byte[] bytes) {
    Optional<String> text = printableText(bytes);
    if (text.isPresent()) {
      return text.get();
    }
    StringBuilder hex = new StringBuilder();
    for (int i = 0; i < bytes.length; i++) {
      if (i > 0) {
        hex.append(i % HEX_BYTES_PER_LINE == 0 ? '\n' : ' ');
      }
      hex.append(String.format("%02x", bytes[i] & 0xff));
    }
    return hex.toString();
  }

  private static Optional<String> printableText(byte[] bytes) {
    String text;
    try {
      // A prefix may end inside a character: ignore a cut-off sequence at the very end only.
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, 0, completeUtf8Length(bytes)))
              .toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    boolean printable =
        text.codePoints()
            .allMatch(c -> c == '\n' || c == '\t' || c == '\r' || !Character.isISOControl(c));
    return printable ? Optional.of(text) : Optional.empty();
  }

  /** Length of {@code bytes} without a multi-byte UTF-8 sequence cut off at the end. */
  private static int completeUtf8Length(byte[] bytes) {
    int end = bytes.length;
    for (int back = 1; back <= 3 && end - back >= 0; back++) {
      int b = bytes[end - back] & 0xff;
      if ((b & 0xc0) != 0x80) {
        // The lead byte of the last sequence: how long should that sequence be?
        int expected = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
        return expected > back ? end - back : end;
      }
    }
    return end;
  }

  private void row(String name, String value) {
    html.append("<tr><th>")
        .append(HTML.escape(name))
        .append("</th><td>")
        .append(HTML.escape(value))
        .append("</td></tr>\n");
  }

  private static String link(String path, String text) {
    String href = "/?path=" + URLEncoder.encode(path, StandardCharsets.UTF_8);
    return "<a href=\"" + HTML.escape(href) + "\">" + HTML.escape(text) + "</a>";
  }
}
