package io.tumbler.cell.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.collect.ImmutableMap;
import com.google.common.net.HostAndPort;
import io.tumbler.cell.master.MasterSettings;
import io.tumbler.cell.replica.ReplicaNode;
import io.tumbler.lockservice.InvalidNameException;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.NodePath;
import io.tumbler.paxos.Membership;
import io.tumbler.paxos.durable.LogOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads a replica's YAML configuration and validates it, failing with one line that names the bad
 * field, so an operator never starts a replica on a half-understood file.
 *
 * <p>Every field but {@code cell}, {@code replicaId}, {@code dataDir} and {@code replicas} may be
 * left out and takes its default. A field that is present must have a value: {@code
 * sessionLeaseMs:} with nothing after it is refused rather than read as "default", since it is more
 * likely a half-finished edit. Unknown fields are refused, so a typo never silently becomes a
 * default.
 */
public final class CellConfigLoader {

  /** Most replicas a cell may have; Paxos quorums beyond this only cost latency. */
  public static final int MAX_REPLICAS = 9;

  /**
   * Largest {@code maxFrameBytes} accepted. Each client connection may buffer one frame while it
   * arrives, so this bounds what a few slow clients can make a replica hold.
   */
  public static final int MAX_FRAME_BYTES_CEILING = 64 * 1024 * 1024;

  /** Longest duration any setting accepts (a day): beyond it, the value is surely a typo. */
  public static final long MAX_DURATION_MS = 24L * 60 * 60 * 1000;

  /**
   * An accept record's bytes besides its commands: type, slot, ballot and command count (25 bytes
   * today, see the paxos module's StorageRecordCodec), with margin.
   */
  public static final int ACCEPT_RECORD_FIXED_BYTES = 64;

  /** Bytes each command adds to an accept record besides its own: its length field. */
  public static final int ACCEPT_RECORD_BYTES_PER_COMMAND = 4;

  private final ObjectMapper yaml =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

  // The file as written: any field may be absent (null); defaults and checks come after.

  record ConfigFile(
      String cell,
      Integer replicaId,
      String dataDir,
      List<ReplicaEntry> replicas,
      List<String> adminPrincipals,
      Integer maxFrameBytes,
      Integer maxClientConnections,
      Long snapshotEverySlots,
      SessionsSection sessions,
      PaxosSection paxos,
      LogSection log) {}

  record ReplicaEntry(Integer id, String peer, String client, String admin) {}

  record SessionsSection(
      Long sessionLeaseMs,
      Long keepAliveAnswerAheadMs,
      Integer maxSessionsPerClientHost,
      Integer maxTrackedCacheEntriesPerSession,
      Integer maxPendingEventsPerSession,
      Integer maxQueuedRequestsPerSession) {
    static final SessionsSection ABSENT = new SessionsSection(null, null, null, null, null, null);
  }

  record PaxosSection(
      Long masterLeaseMs,
      Long clockDriftPpm,
      Long heartbeatIntervalMs,
      Long electionTimeoutMs,
      Long electionJitterMaxMs,
      Long resendIntervalMs,
      Long catchUpRetryMs,
      Integer maxSlotsInFlight,
      Integer maxBatchCommands,
      Integer maxBatchBytes,
      Integer maxCommandBytes,
      Integer maxPendingCommands,
      Integer catchUpChunkEntries,
      Integer snapshotChunkBytes,
      Integer snapshotChunksPerRequest,
      Integer logRetentionSlots) {
    static final PaxosSection ABSENT =
        new PaxosSection(
            null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null);
  }

  record LogSection(Integer maxRecordsPerSegment, Integer maxRecordBytes, Long blockSizeBytes) {
    static final LogSection ABSENT = new LogSection(null, null, null);
  }

  /**
   * The core's field names where they differ from the file's (the file counts time in
   * milliseconds), so that its complaints name the field the operator wrote.
   */
  private static final Map<String, String> PAXOS_FIELD_NAMES =
      ImmutableMap.<String, String>builder()
          .put("leaseDurationNanos", "masterLeaseMs")
          .put("heartbeatIntervalNanos", "heartbeatIntervalMs")
          .put("electionTimeoutNanos", "electionTimeoutMs")
          .put("electionJitterMaxNanos", "electionJitterMaxMs")
          .put("resendIntervalNanos", "resendIntervalMs")
          .put("catchUpRetryNanos", "catchUpRetryMs")
          .build();

  private static final Pattern LEADING_NAME = Pattern.compile("^([A-Za-z]+)(.*)$", Pattern.DOTALL);

  public CellConfig load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return parse(in, file.toString());
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new InvalidConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
  }

  /** Parses and validates; {@code source} names the input in error messages. */
  public CellConfig parse(InputStream in, String source) throws IOException {
    ConfigFile file;
    try {
      JsonNode tree = yaml.readTree(in);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        throw new InvalidConfigException(source + ": the file is empty");
      }
      refuseEmptyValues(tree, "", source);
      file = yaml.treeToValue(tree, ConfigFile.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidConfigException(
          source
              + ": unknown field '"
              + fieldPath(e)
              + "'; known fields: "
              + e.getKnownPropertyIds());
    } catch (JsonMappingException e) {
      throw mappingError(source, e);
    } catch (JacksonException e) {
      throw new InvalidConfigException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (file == null) {
      throw new InvalidConfigException(source + ": the file is empty");
    }
    return new Validation(source).config(file);
  }

  /** A field written with no value is refused, naming it (see the class comment). */
  private static void refuseEmptyValues(JsonNode node, String path, String source) {
    if (node.isNull()) {
      throw new InvalidConfigException(
          source
              + ": field '"
              + path
              + "' has no value; give one, or remove the field to use its default");
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        refuseEmptyValues(
            field.getValue(),
            path.isEmpty() ? field.getKey() : path + "." + field.getKey(),
            source);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        refuseEmptyValues(node.get(i), path + "[" + i + "]", source);
      }
    }
  }

  private static InvalidConfigException mappingError(String source, JsonMappingException e) {
    String where = e.getPath().isEmpty() ? "" : " field '" + fieldPath(e) + "':";
    return new InvalidConfigException(source + ":" + where + " " + e.getOriginalMessage(), e);
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(ref -> ref.getIndex() >= 0 ? "[" + ref.getIndex() + "]" : "." + ref.getFieldName())
        .collect(Collectors.joining())
        .replaceFirst("^\\.", "");
  }

  /** Defaults and checks for one file; every failure names {@code source} and the field. */
  private static final class Validation {
    private final String source;

    Validation(String source) {
      this.source = source;
    }

    CellConfig config(ConfigFile file) {
      require(file.cell() != null, "cell", "is required");
      require(
          !file.cell().contains("/"),
          "cell",
          "must be one name component without '/', was '" + file.cell() + "'");
      try {
        NodePath.parse("/ls/" + file.cell());
      } catch (InvalidNameException e) {
        throw new InvalidConfigException(
            source + ": field 'cell': not a valid cell name: " + e.getMessage());
      }
      require(file.replicaId() != null, "replicaId", "is required");
      require(file.dataDir() != null, "dataDir", "is required");
      require(!file.dataDir().isBlank(), "dataDir", "must name a directory");
      List<ReplicaAddresses> replicas = replicas(file.replicas());
      Set<Integer> ids = replicas.stream().map(ReplicaAddresses::id).collect(Collectors.toSet());
      require(
          ids.contains(file.replicaId()),
          "replicaId",
          file.replicaId()
              + " is not the id of any entry in 'replicas' "
              + replicas.stream().map(ReplicaAddresses::id).sorted().toList());

      List<String> admins = adminPrincipals(file.adminPrincipals());
      int maxFrameBytes = maxFrameBytes(file.maxFrameBytes());
      int maxClientConnections =
          orDefault(file.maxClientConnections(), CellConfig.DEFAULT_MAX_CLIENT_CONNECTIONS);
      require(
          maxClientConnections >= 1,
          "maxClientConnections",
          "must be >= 1, was " + maxClientConnections);
      long snapshotEverySlots =
          orDefault(file.snapshotEverySlots(), ReplicaNode.DEFAULT_SNAPSHOT_EVERY_SLOTS);
      require(
          snapshotEverySlots >= 1, "snapshotEverySlots", "must be >= 1, was " + snapshotEverySlots);
      MasterSettings sessions =
          sessions(file.sessions() == null ? SessionsSection.ABSENT : file.sessions());
      PaxosSettings paxos = paxos(file.paxos() == null ? PaxosSection.ABSENT : file.paxos());
      Membership membership = Membership.of(ids);
      section("paxos", PAXOS_FIELD_NAMES, () -> paxos.toPaxosConfig(membership));
      LogOptions log = log(file.log() == null ? LogSection.ABSENT : file.log());
      long largestAccept =
          (long) paxos.maxBatchBytes()
              + (long) ACCEPT_RECORD_BYTES_PER_COMMAND * paxos.maxBatchCommands()
              + ACCEPT_RECORD_FIXED_BYTES;
      require(
          log.maxRecordBytes() >= largestAccept,
          "log.maxRecordBytes",
          log.maxRecordBytes()
              + " cannot hold the largest Paxos slot ("
              + largestAccept
              + " bytes: paxos.maxBatchBytes plus the record's framing)");
      return new CellConfig(
          file.cell(),
          file.replicaId(),
          file.dataDir(),
          replicas,
          admins,
          maxFrameBytes,
          maxClientConnections,
          snapshotEverySlots,
          sessions,
          paxos,
          log);
    }

    private List<ReplicaAddresses> replicas(List<ReplicaEntry> entries) {
      require(entries != null, "replicas", "is required");
      require(!entries.isEmpty(), "replicas", "must list at least one replica");
      require(
          entries.size() % 2 == 1 && entries.size() <= MAX_REPLICAS,
          "replicas",
          "must list an odd number of replicas, at most "
              + MAX_REPLICAS
              + ", found "
              + entries.size());
      Set<Integer> ids = new HashSet<>();
      Map<HostAndPort, String> endpoints = new HashMap<>();
      List<ReplicaAddresses> replicas = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        ReplicaEntry entry = entries.get(i);
        String at = "replicas[" + i + "]";
        require(entry.id() != null, at + ".id", "is required");
        int id = entry.id();
        require(
            id >= 0 && id <= Membership.MAX_REPLICA_ID,
            at + ".id",
            "must be in [0, " + Membership.MAX_REPLICA_ID + "], was " + id);
        require(ids.add(id), at + ".id", "duplicates id " + id);
        claimEndpoint(endpoints, at + ".peer", entry.peer());
        claimEndpoint(endpoints, at + ".client", entry.client());
        claimEndpoint(endpoints, at + ".admin", entry.admin());
        replicas.add(new ReplicaAddresses(id, entry.peer(), entry.client(), entry.admin()));
      }
      return replicas;
    }

    private void claimEndpoint(Map<HostAndPort, String> endpoints, String field, String value) {
      require(value != null, field, "is required");
      HostAndPort endpoint;
      try {
        endpoint = HostAndPort.fromString(value);
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(
            source + ": field '" + field + "': not host:port: '" + value + "'");
      }
      require(
          endpoint.hasPort() && !endpoint.getHost().isEmpty(),
          field,
          "must be host:port, was '" + value + "'");
      String previous = endpoints.putIfAbsent(endpoint, field);
      require(previous == null, field, value + " is already used by '" + previous + "'");
    }

    private List<String> adminPrincipals(List<String> principals) {
      if (principals == null) {
        return CellConfig.DEFAULT_ADMIN_PRINCIPALS;
      }
      require(
          !principals.isEmpty(),
          "adminPrincipals",
          "must list at least one principal (\"*\" admits everyone)");
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < principals.size(); i++) {
        String principal = principals.get(i);
        String field = "adminPrincipals[" + i + "]";
        // Each principal becomes one line of the acl/admin file.
        require(
            !principal.isEmpty() && principal.chars().noneMatch(Character::isWhitespace),
            field,
            "must be a non-empty name without spaces or line breaks, was '" + principal + "'");
        int bytes = principal.getBytes(StandardCharsets.UTF_8).length;
        require(
            bytes <= Limits.DEFAULT_MAX_PRINCIPAL_BYTES,
            field,
            "is "
                + bytes
                + " bytes long, at most "
                + Limits.DEFAULT_MAX_PRINCIPAL_BYTES
                + " are allowed");
        require(seen.add(principal), field, "lists '" + principal + "' twice");
      }
      return principals;
    }

    private int maxFrameBytes(Integer value) {
      int bytes = orDefault(value, Limits.DEFAULT_MAX_FRAME_BYTES);
      require(
          bytes <= MAX_FRAME_BYTES_CEILING,
          "maxFrameBytes",
          "must be at most " + MAX_FRAME_BYTES_CEILING + ", was " + bytes);
      try {
        CellConfig.limitsWithFrameBytes(bytes);
      } catch (IllegalArgumentException e) {
        throw new InvalidConfigException(
            source + ": field 'maxFrameBytes' " + bytes + " is too small: " + e.getMessage());
      }
      return bytes;
    }

    private MasterSettings sessions(SessionsSection s) {
      MasterSettings d = MasterSettings.DEFAULTS;
      long leaseMs = orDefault(s.sessionLeaseMs(), d.sessionLeaseMs());
      long aheadMs = orDefault(s.keepAliveAnswerAheadMs(), d.keepAliveAnswerAheadMs());
      return section(
          "sessions",
          Map.of(),
          () ->
              new MasterSettings(
                  leaseMs,
                  aheadMs,
                  orDefault(s.maxSessionsPerClientHost(), d.maxSessionsPerClientHost()),
                  orDefault(
                      s.maxTrackedCacheEntriesPerSession(), d.maxTrackedCacheEntriesPerSession()),
                  orDefault(s.maxPendingEventsPerSession(), d.maxPendingEventsPerSession()),
                  orDefault(s.maxQueuedRequestsPerSession(), d.maxQueuedRequestsPerSession())));
    }

    private PaxosSettings paxos(PaxosSection p) {
      PaxosSettings d = PaxosSettings.DEFAULTS;
      PaxosSettings settings =
          new PaxosSettings(
              orDefault(p.masterLeaseMs(), d.masterLeaseMs()),
              orDefault(p.clockDriftPpm(), d.clockDriftPpm()),
              orDefault(p.heartbeatIntervalMs(), d.heartbeatIntervalMs()),
              orDefault(p.electionTimeoutMs(), d.electionTimeoutMs()),
              orDefault(p.electionJitterMaxMs(), d.electionJitterMaxMs()),
              orDefault(p.resendIntervalMs(), d.resendIntervalMs()),
              orDefault(p.catchUpRetryMs(), d.catchUpRetryMs()),
              orDefault(p.maxSlotsInFlight(), d.maxSlotsInFlight()),
              orDefault(p.maxBatchCommands(), d.maxBatchCommands()),
              orDefault(p.maxBatchBytes(), d.maxBatchBytes()),
              orDefault(p.maxCommandBytes(), d.maxCommandBytes()),
              orDefault(p.maxPendingCommands(), d.maxPendingCommands()),
              orDefault(p.catchUpChunkEntries(), d.catchUpChunkEntries()),
              orDefault(p.snapshotChunkBytes(), d.snapshotChunkBytes()),
              orDefault(p.snapshotChunksPerRequest(), d.snapshotChunksPerRequest()),
              orDefault(p.logRetentionSlots(), d.logRetentionSlots()));
      // The core checks how these relate; bound each duration first so that none overflows
      // on its way to nanoseconds.
      requireDuration("paxos.masterLeaseMs", settings.masterLeaseMs(), 1);
      requireDuration("paxos.heartbeatIntervalMs", settings.heartbeatIntervalMs(), 1);
      requireDuration("paxos.electionTimeoutMs", settings.electionTimeoutMs(), 1);
      requireDuration("paxos.electionJitterMaxMs", settings.electionJitterMaxMs(), 1);
      requireDuration("paxos.resendIntervalMs", settings.resendIntervalMs(), 1);
      requireDuration("paxos.catchUpRetryMs", settings.catchUpRetryMs(), 1);
      return settings;
    }

    private LogOptions log(LogSection l) {
      LogOptions d = LogOptions.DEFAULTS;
      return section(
          "log",
          Map.of(),
          () ->
              new LogOptions(
                  orDefault(l.maxRecordsPerSegment(), d.maxRecordsPerSegment()),
                  orDefault(l.maxRecordBytes(), d.maxRecordBytes()),
                  orDefault(l.blockSizeBytes(), d.blockSizeBytes())));
    }

    private void requireDuration(String field, long ms, long min) {
      require(
          ms >= min && ms <= MAX_DURATION_MS,
          field,
          "must be in [" + min + ", " + MAX_DURATION_MS + "] ms, was " + ms);
    }

    /**
     * Builds a section's object, turning its constructor's complaint into a one-line field error.
     * The complaint names the field first ("sessionLeaseMs must be ..."); {@code renamed} maps the
     * constructor's names to the file's where they differ.
     */
    private <T> T section(String section, Map<String, String> renamed, Supplier<T> build) {
      try {
        return build.get();
      } catch (IllegalArgumentException | ArithmeticException e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = LEADING_NAME.matcher(message);
        if (m.matches() && !m.group(1).equals(m.group(1).toLowerCase())) {
          // Starts with a camelCase name: a field of the section.
          String field = renamed.getOrDefault(m.group(1), m.group(1));
          throw new InvalidConfigException(
              source + ": field '" + section + "." + field + "'" + m.group(2));
        }
        throw new InvalidConfigException(source + ": field '" + section + "': " + message);
      }
    }

    private void require(boolean condition, String field, String problem) {
      if (!condition) {
        throw new InvalidConfigException(source + ": field '" + field + "' " + problem);
      }
    }
  }

  private static <T> T orDefault(T value, T defaultValue) {
    return value == null ? defaultValue : value;
  }
}
