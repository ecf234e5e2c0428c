package io.tumbler.cell.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tumbler.cell.config.CellConfig;
import io.tumbler.cell.config.ReplicaAddresses;
import io.tumbler.cell.master.ServiceStatus;
import io.tumbler.cell.replica.ReplicaStatus;
import io.tumbler.lockservice.command.AclNames;
import io.tumbler.lockservice.command.ChildEntry;
import io.tumbler.lockservice.command.NodeKind;
import io.tumbler.lockservice.command.Stat;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine.Inspection;
import io.tumbler.paxos.Role;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {

  private static final AclNames ACLS = new AclNames("everyone", "admin", "admin");

  private static final CellConfig CONFIG =
      new CellConfig(
          "local",
          2,
          "/var/lib/tumbler/replica-2",
          List.of(
              new ReplicaAddresses(1, "127.0.0.1:7201", "127.0.0.1:7101", "127.0.0.1:7301"),
              new ReplicaAddresses(2, "127.0.0.1:7202", "127.0.0.1:7102", "127.0.0.1:7302"),
              new ReplicaAddresses(3, "127.0.0.1:7203", "127.0.0.1:7103", "127.0.0.1:7303")));

  /** A replica whose statuses and tree the test sets. */
  private static final class FakeView implements CellView {
    volatile ReplicaStatus replica;
    volatile ServiceStatus service = new ServiceStatus("SERVING", 3, 2, 17, 40, 5, 1);
    volatile Map<String, Inspection> nodes = Map.of();
    volatile boolean overloaded;

    @Override
    public CellConfig config() {
      return CONFIG;
    }

    @Override
    public ReplicaStatus replica() {
      return replica;
    }

    @Override
    public ServiceStatus service() {
      return service;
    }

    @Override
    public CompletableFuture<Optional<Inspection>> browse(String path) {
      if (overloaded) {
        return CompletableFuture.failedFuture(new AdminUnavailable("the replica is overloaded"));
      }
      // Answered from another thread, as the applier would.
      return CompletableFuture.supplyAsync(() -> Optional.ofNullable(nodes.get(path)));
    }
  }

  private final FakeView view = new FakeView();
  private final PrometheusMetrics metrics = new PrometheusMetrics();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final ObjectMapper json = new ObjectMapper();
  private AdminServer admin;

  @BeforeEach
  void start() throws InterruptedException {
    metrics.watchStatus(view::replica, view::service);
    admin = new AdminServer(new InetSocketAddress("127.0.0.1", 0), view, metrics);
    admin.start();
  }

  @AfterEach
  void stop() {
    admin.close();
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    URI uri = URI.create("http://127.0.0.1:" + admin.localAddress().getPort() + pathAndQuery);
    return http.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ReplicaStatus status(Role role, int master, boolean lease) {
    return new ReplicaStatus(role, 65_538, master, 120, 118, lease, Optional.empty());
  }

  private static Stat stat(NodeKind kind, boolean ephemeral, int length) {
    return new Stat(kind, ephemeral, 9, 4, 2, 1, 0xabcdefL, length, ACLS);
  }

  @Test
  void healthIsOkForAMasterHoldingItsLease() throws Exception {
    view.replica = status(Role.LEADER, 2, true);

    HttpResponse<String> response = get("/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = json.readTree(response.body());
    assertThat(body.get("role").asText()).isEqualTo("LEADER");
    assertThat(body.get("epoch").asLong()).isEqualTo(65_538);
    assertThat(body.get("master").asInt()).isEqualTo(2);
    assertThat(body.get("appliedIndex").asLong()).isEqualTo(118);
    assertThat(body.has("failure")).isFalse();
  }

  @Test
  void healthIsOkForAFollowerThatKnowsItsMaster() throws Exception {
    view.replica = status(Role.FOLLOWER, 1, false);

    HttpResponse<String> response = get("/health");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(json.readTree(response.body()).get("master").asInt()).isEqualTo(1);
  }

  @Test
  void healthIsUnavailableWithoutAMasterOrAfterAFailure() throws Exception {
    view.replica = status(Role.FOLLOWER, -1, false);
    HttpResponse<String> noMaster = get("/health");
    assertThat(noMaster.statusCode()).isEqualTo(503);
    JsonNode body = json.readTree(noMaster.body());
    assertThat(body.get("master").isNull()).isTrue();
    assertThat(body.get("role").asText()).isEqualTo("FOLLOWER");
    assertThat(body.get("failure").asText()).isEqualTo("no master known");

    view.replica = status(Role.CANDIDATE, -1, false);
    assertThat(get("/health").statusCode()).isEqualTo(503);

    view.replica = status(Role.LEADER, 2, false);
    assertThat(get("/health").statusCode()).isEqualTo(503);

    view.replica =
        new ReplicaStatus(Role.LEADER, 7, 2, 5, 5, false, Optional.of("storage failed: disk full"));
    HttpResponse<String> failed = get("/health");
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(json.readTree(failed.body()).get("failure").asText())
        .isEqualTo("storage failed: disk full");

    view.replica = null;
    assertThat(get("/health").statusCode()).isEqualTo(503);
  }

  /** One sample line of the Prometheus text format: name, optional labels, a number. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\",?)*\\})?"
              + " (-?[0-9.eE+-]+|\\+Inf|-Inf|NaN)");

  @Test
  void metricsAreInThePrometheusTextFormat() throws Exception {
    view.replica = status(Role.LEADER, 2, true);
    metrics.requestServed("GetStat", 150_000, true);
    metrics.requestServed("SetContents", 3_000_000, false);
    metrics.slotApplied(12);
    metrics.slotApplied(0);
    metrics.invalidationsSent(4);
    metrics.sessionExpired();
    metrics.storageSynced(200_000);

    HttpResponse<String> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type").orElseThrow())
        .startsWith("text/plain; version=0.0.4");
    for (String line : response.body().split("\n")) {
      if (!line.startsWith("#")) {
        assertThat(line).matches(SAMPLE);
      }
    }
    assertThat(response.body())
        .contains(
            "tumbler_replica_role{role=\"LEADER\"} 1",
            "tumbler_replica_role{role=\"FOLLOWER\"} 0",
            "tumbler_replica_epoch 65538",
            "tumbler_replica_lease_held 1",
            "tumbler_paxos_commit_index 120",
            "tumbler_paxos_applied_index 118",
            "tumbler_sessions 3",
            "tumbler_held_locks 2",
            "tumbler_nodes 17",
            "tumbler_connected_clients 5",
            "tumbler_pending_invalidations 1",
            "tumbler_master_phase{phase=\"SERVING\"} 1",
            "tumbler_request_duration_seconds_count{outcome=\"ok\",type=\"GetStat\"} 1",
            "tumbler_request_duration_seconds_count{outcome=\"error\",type=\"SetContents\"} 1",
            "tumbler_paxos_slots_applied_total 2",
            "tumbler_paxos_slot_commands_sum 12",
            "tumbler_cache_invalidations_sent_total 4",
            "tumbler_sessions_expired_total 1",
            "tumbler_storage_sync_duration_seconds_count 1");
  }

  @Test
  void theStatusPageShowsTheReplicaAndTheCell() throws Exception {
    view.replica = status(Role.FOLLOWER, 1, false);

    HttpResponse<String> response = get("/");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(response.body())
        .contains(
            "Tumbler cell local, replica 2",
            "<tr><th>role</th><td>FOLLOWER</td></tr>",
            "replica 1 (127.0.0.1:7101)",
            "<tr><th>epoch</th><td>65538</td></tr>",
            "<tr><th>commit index</th><td>120</td></tr>",
            "<tr><th>applied index</th><td>118</td></tr>",
            "<tr><th>sessions</th><td>3</td></tr>",
            "<tr><th>held locks</th><td>2</td></tr>",
            "127.0.0.1:7103",
            "<a href=\"http://127.0.0.1:7302/\">",
            "/?path=%2Fls%2Flocal");
  }

  @Test
  void theTreeBrowserShowsANodeWithEverythingUserWrittenEscaped() throws Exception {
    view.replica = status(Role.LEADER, 2, true);
    String dir = "/ls/local/svc";
    String hostile = "<script>alert(1)</script>";
    view.nodes =
        Map.of(
            dir,
            new Inspection(
                dir,
                stat(NodeKind.DIRECTORY, false, 0),
                List.of(
                    new ChildEntry("db&\"x\"", stat(NodeKind.FILE, false, 3)),
                    new ChildEntry(hostile, stat(NodeKind.FILE, true, 0))),
                true,
                new byte[0]),
            dir + "/config",
            new Inspection(
                dir + "/config",
                stat(NodeKind.FILE, false, 1000),
                List.of(),
                false,
                "<b>primary</b> = db-1\n".getBytes(StandardCharsets.UTF_8)));

    HttpResponse<String> listing = get("/?path=" + URLEncoder.encode(dir, StandardCharsets.UTF_8));

    assertThat(listing.statusCode()).isEqualTo(200);
    assertThat(listing.body())
        .contains(
            "<h3>/ls/local/svc</h3>",
            "<a href=\"/?path=%2Fls%2Flocal%2Fsvc%2Fdb%26%22x%22\">db&amp;&quot;x&quot;</a>",
            "&lt;script&gt;alert(1)&lt;/script&gt; (ephemeral)",
            "… and more",
            "up: <a href=\"/?path=%2Fls%2Flocal\">")
        .doesNotContain(hostile);

    HttpResponse<String> file = get("/?path=%2Fls%2Flocal%2Fsvc%2Fconfig");
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.body())
        .contains(
            "<tr><th>content length</th><td>1000 bytes</td></tr>",
            "<h4>Contents (first 22 bytes)</h4>",
            "<pre>&lt;b&gt;primary&lt;/b&gt; = db-1\n</pre>")
        .doesNotContain("<b>primary");
  }

  @Test
  void binaryContentsAreShownAsHex() {
    byte[] bytes = new byte[20];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 13);
    }
    assertThat(StatusPage.readable(bytes))
        .isEqualTo("00 0d 1a 27 34 41 4e 5b 68 75 82 8f 9c a9 b6 c3\nd0 dd ea f7");
    // A prefix cut inside a UTF-8 character is still text.
    byte[] cut = "é".getBytes(StandardCharsets.UTF_8);
    assertThat(StatusPage.readable(new byte[] {'a', cut[0]})).isEqualTo("a");
  }

  @Test
  void unknownNodesPagesAndBadNamesAreRefusedPlainly() throws Exception {
    view.replica = status(Role.LEADER, 2, true);

    HttpResponse<String> noNode = get("/?path=%2Fls%2Flocal%2Fnope%3Cx%3E");
    assertThat(noNode.statusCode()).isEqualTo(404);
    assertThat(noNode.body()).contains("/ls/local/nope&lt;x&gt;: no such node");

    assertThat(get("/nothing-here").statusCode()).isEqualTo(404);
    assertThat(get("/?path=not-a-path").statusCode()).isEqualTo(400);

    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.localAddress().getPort() + "/health"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void anOverloadedReplicaAnswersTheBrowserWith503() throws Exception {
    view.replica = status(Role.LEADER, 2, true);
    view.overloaded = true;

    HttpResponse<String> response = get("/?path=%2Fls%2Flocal");

    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("the replica is overloaded");
  }
}
