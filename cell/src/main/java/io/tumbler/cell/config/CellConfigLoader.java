package io.tumbler.cell.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.common.net.HostAndPort;
import io.tumbler.lockservice.InvalidNameException;
import io.tumbler.lockservice.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a replica's YAML configuration and validates it, failing with one line that names the bad
 * field, so an operator never starts a replica on a half-understood file.
 */
public final class CellConfigLoader {

  /** Most replicas a cell may have; Paxos quorums beyond this only cost latency. */
  public static final int MAX_REPLICAS = 9;

  private final ObjectMapper yaml =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

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
    CellConfig config;
    try {
      config = yaml.readValue(in, CellConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw new InvalidConfigException(
          source
              + ": unknown field '"
              + fieldPath(e)
              + "'; known fields: "
              + e.getKnownPropertyIds());
    } catch (MismatchedInputException e) {
      if (e.getOriginalMessage().startsWith("Missing creator property")) {
        throw new InvalidConfigException(source + ": field '" + fieldPath(e) + "' is required", e);
      }
      throw mappingError(source, e);
    } catch (JsonMappingException e) {
      throw mappingError(source, e);
    } catch (JacksonException e) {
      throw new InvalidConfigException(source + ": not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (config == null) {
      throw new InvalidConfigException(source + ": the file is empty");
    }
    validate(config, source);
    return config;
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

  private static void validate(CellConfig config, String source) {
    require(config.cell() != null, source, "cell", "is required");
    require(
        !config.cell().contains("/"),
        source,
        "cell",
        "must be one name component without '/', was '" + config.cell() + "'");
    try {
      NodePath.parse("/ls/" + config.cell());
    } catch (InvalidNameException e) {
      throw new InvalidConfigException(
          source + ": field 'cell': not a valid cell name: " + e.getMessage());
    }
    require(config.dataDir() != null, source, "dataDir", "is required");
    List<ReplicaAddresses> replicas = config.replicas();
    require(!replicas.isEmpty(), source, "replicas", "must list at least one replica");
    require(
        replicas.size() % 2 == 1 && replicas.size() <= MAX_REPLICAS,
        source,
        "replicas",
        "must list an odd number of replicas, at most "
            + MAX_REPLICAS
            + ", found "
            + replicas.size());
    Set<Integer> ids = new HashSet<>();
    Map<HostAndPort, String> endpoints = new HashMap<>();
    for (int i = 0; i < replicas.size(); i++) {
      ReplicaAddresses replica = replicas.get(i);
      String at = "replicas[" + i + "]";
      require(replica.id() >= 0, source, at + ".id", "must be >= 0, was " + replica.id());
      require(ids.add(replica.id()), source, at + ".id", "duplicates id " + replica.id());
      claimEndpoint(endpoints, source, at + ".peer", replica.peer());
      claimEndpoint(endpoints, source, at + ".client", replica.client());
      claimEndpoint(endpoints, source, at + ".admin", replica.admin());
    }
    require(
        ids.contains(config.replicaId()),
        source,
        "replicaId",
        config.replicaId() + " is not the id of any entry in 'replicas' " + ids);
  }

  private static void claimEndpoint(
      Map<HostAndPort, String> endpoints, String source, String field, String value) {
    require(value != null, source, field, "is required (host:port)");
    HostAndPort endpoint;
    try {
      endpoint = HostAndPort.fromString(value);
    } catch (IllegalArgumentException e) {
      throw new InvalidConfigException(
          source + ": field '" + field + "': not host:port: '" + value + "'");
    }
    require(
        endpoint.hasPort() && !endpoint.getHost().isEmpty(),
        source,
        field,
        "must be host:port, was '" + value + "'");
    String previous = endpoints.putIfAbsent(endpoint, field);
    require(previous == null, source, field, value + " is already used by '" + previous + "'");
  }

  private static void require(boolean condition, String source, String field, String problem) {
    if (!condition) {
      throw new InvalidConfigException(source + ": field '" + field + "' " + problem);
    }
  }
}
