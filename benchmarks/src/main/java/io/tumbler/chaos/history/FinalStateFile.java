package io.tumbler.chaos.history;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The final-state file the durability check reads beside a history: JSON lines {@code {"key": ...,
 * "value": ... | null, "generation": ...}}, one per file, each file once (docs/testing.md, "Final
 * state format").
 */
public final class FinalStateFile {

  private static final Set<String> FIELDS = Set.of("key", "value", "generation");

  private FinalStateFile() {}

  /** Writes {@code values} to a new file. */
  public static void write(Path file, Collection<FinalValue> values) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    try (BufferedWriter out =
        Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW)) {
      for (FinalValue v : values) {
        ObjectNode n = mapper.createObjectNode();
        n.put("key", v.key());
        n.put("value", v.value());
        n.put("generation", v.generation());
        out.write(mapper.writeValueAsString(n));
        out.write('\n');
      }
    }
  }

  /**
   * The final values in {@code file}, by key.
   *
   * @throws MalformedHistoryException at the first bad line
   */
  public static Map<String, FinalValue> read(Path file) throws IOException {
    ObjectMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    Map<String, FinalValue> values = new LinkedHashMap<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      long lineNumber = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNumber++;
        try {
          FinalValue v = parse(mapper, line);
          checkArgument(values.put(v.key(), v) == null, "key '%s' appears twice", v.key());
        } catch (IllegalArgumentException e) {
          throw new MalformedHistoryException(file.toString(), lineNumber, e.getMessage());
        }
      }
    }
    return values;
  }

  private static FinalValue parse(ObjectMapper mapper, String line) {
    JsonNode n;
    try {
      n = mapper.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    checkArgument(n != null && n.isObject(), "not a JSON object");
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      checkArgument(FIELDS.contains(name), "unknown field '%s'", name);
    }
    JsonNode key = n.get("key");
    checkArgument(key != null && key.isTextual(), "field 'key' must be a string");
    JsonNode value = n.get("value");
    checkArgument(
        value != null && (value.isNull() || value.isTextual()),
        "field 'value' must be a string or null");
    JsonNode generation = n.get("generation");
    checkArgument(
        generation != null && generation.isIntegralNumber() && generation.canConvertToLong(),
        "field 'generation' must be an integer");
    return new FinalValue(
        key.textValue(), value.isNull() ? null : value.textValue(), generation.longValue());
  }
}
