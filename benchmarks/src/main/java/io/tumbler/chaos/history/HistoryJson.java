package io.tumbler.chaos.history;

import static com.google.common.base.Preconditions.checkArgument;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tumbler.lockservice.command.LockMode;
import io.tumbler.lockservice.lock.Sequencer;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * One history event as one line of JSON, both ways; the format is in docs/testing.md, "History
 * format". Fields are mapped by hand rather than by data binding so that the file format stays what
 * the documentation says even when the records change, and so that a line with a misspelt or
 * missing field is refused with the field's name instead of being read as a default.
 */
public final class HistoryJson {

  private static final Set<String> COMMON_FIELDS =
      Set.of("index", "time", "process", "type", "f", "key", "error");
  private static final Set<String> SEQUENCER_FIELDS =
      Set.of("lock", "instance", "mode", "generation");

  private final ObjectMapper mapper =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** {@code e} as one line of JSON, without the line break. */
  public String toLine(Event e) {
    ObjectNode n = mapper.createObjectNode();
    n.put("index", e.index());
    n.put("time", e.timeNs());
    n.put("process", e.process());
    n.put("type", e.type().jsonName());
    n.put("f", e.op().f().jsonName());
    n.put("key", e.op().key());
    Operation op = e.op();
    if (op instanceof Operation.Read r) {
      if (e.type() == EventType.OK) {
        n.put("value", r.value());
        putIfSet(n, "generation", r.generation());
      }
    } else if (op instanceof Operation.Write w) {
      n.put("value", w.value());
      putIfSet(n, "generation", w.generation());
    } else if (op instanceof Operation.Cas c) {
      n.put("expectedGeneration", c.expectedGeneration());
      n.put("value", c.value());
      if (c.succeeded() != null) {
        n.put("succeeded", c.succeeded());
      }
      putIfSet(n, "generation", c.generation());
    } else if (op instanceof Operation.Acquire a) {
      if (a.sequencer() != null) {
        n.set("sequencer", sequencer(a.sequencer()));
      }
    } else if (op instanceof Operation.Release) {
      // a key and nothing more
    } else if (op instanceof Operation.FencedWrite w) {
      n.set("sequencer", sequencer(w.sequencer()));
      n.put("value", w.value());
      putIfSet(n, "resourceOrder", w.resourceOrder());
    } else {
      throw new AssertionError("unhandled operation " + op);
    }
    if (e.error() != null) {
      n.put("error", e.error());
    }
    try {
      return mapper.writeValueAsString(n);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot write a JSON tree of strings and numbers", ex);
    }
  }

  /**
   * The event on {@code line}.
   *
   * @throws IllegalArgumentException naming the field, if the line is not one event as documented
   */
  public Event fromLine(String line) {
    JsonNode root;
    try {
      root = mapper.readTree(line);
    } catch (JsonProcessingException ex) {
      throw new IllegalArgumentException(
          "not JSON: " + ex.getOriginalMessage().lines().findFirst().orElse(""));
    }
    checkArgument(root != null && root.isObject(), "not a JSON object");
    EventType type = EventType.fromJson(text(root, "type"));
    Operation.Kind f = Operation.Kind.fromJson(text(root, "f"));
    String key = text(root, "key");
    checkArgument(!key.isEmpty(), "field 'key' is empty");
    Operation op = operation(root, f, key, type);
    String error = root.has("error") ? nullableText(root, "error") : null;
    long process = integer(root, "process");
    checkArgument(process >= 0 && process <= Integer.MAX_VALUE, "field 'process' out of range");
    return new Event(integer(root, "index"), integer(root, "time"), (int) process, type, op, error);
  }

  private Operation operation(JsonNode n, Operation.Kind f, String key, EventType type) {
    boolean ok = type == EventType.OK;
    switch (f) {
      case READ:
        allowOnly(n, ok ? Set.of("value", "generation") : Set.of());
        return ok
            ? new Operation.Read(key, nullableText(n, "value"), optionalInteger(n, "generation"))
            : Operation.read(key);
      case WRITE:
        allowOnly(n, ok ? Set.of("value", "generation") : Set.of("value"));
        return new Operation.Write(
            key, nullableText(n, "value"), ok ? optionalInteger(n, "generation") : null);
      case CAS:
        allowOnly(
            n,
            ok
                ? Set.of("expectedGeneration", "value", "succeeded", "generation")
                : Set.of("expectedGeneration", "value"));
        return new Operation.Cas(
            key,
            integer(n, "expectedGeneration"),
            nullableText(n, "value"),
            ok ? bool(n, "succeeded") : null,
            ok ? optionalInteger(n, "generation") : null);
      case ACQUIRE:
        allowOnly(n, ok ? Set.of("sequencer") : Set.of());
        return new Operation.Acquire(key, ok ? sequencer(n, "sequencer") : null);
      case RELEASE:
        allowOnly(n, Set.of());
        return Operation.release(key);
      case FENCED_WRITE:
        boolean decided = ok || type == EventType.FAIL;
        allowOnly(
            n,
            decided ? Set.of("sequencer", "value", "resourceOrder") : Set.of("sequencer", "value"));
        return new Operation.FencedWrite(
            key,
            sequencer(n, "sequencer"),
            nullableText(n, "value"),
            decided ? integer(n, "resourceOrder") : null);
    }
    throw new AssertionError("unhandled f " + f);
  }

  private ObjectNode sequencer(Sequencer s) {
    ObjectNode n = mapper.createObjectNode();
    n.put("lock", s.path());
    n.put("instance", s.instanceNumber());
    n.put("mode", s.mode().name().toLowerCase(Locale.ROOT));
    n.put("generation", s.lockGeneration());
    return n;
  }

  private static Sequencer sequencer(JsonNode parent, String field) {
    JsonNode n = required(parent, field);
    checkArgument(n.isObject(), "field '%s' must be an object", field);
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      checkArgument(SEQUENCER_FIELDS.contains(name), "unknown field '%s' in '%s'", name, field);
    }
    String mode = text(n, "mode");
    checkArgument(
        mode.equals("exclusive") || mode.equals("shared"),
        "field 'mode' must be exclusive or shared, not '%s'",
        mode);
    return new Sequencer(
        text(n, "lock"),
        integer(n, "instance"),
        LockMode.valueOf(mode.toUpperCase(Locale.ROOT)),
        integer(n, "generation"));
  }

  /** Refuses fields this event may not carry: most often a misspelt one. */
  private static void allowOnly(JsonNode n, Set<String> specific) {
    for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      checkArgument(
          COMMON_FIELDS.contains(name) || specific.contains(name),
          "field '%s' does not belong on this event",
          name);
    }
  }

  private static JsonNode required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    checkArgument(v != null, "field '%s' is missing", field);
    return v;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = required(n, field);
    checkArgument(v.isTextual(), "field '%s' must be a string", field);
    return v.textValue();
  }

  /** A string field that must be present but may be {@code null}. */
  private static String nullableText(JsonNode n, String field) {
    JsonNode v = required(n, field);
    if (v.isNull()) {
      return null;
    }
    checkArgument(v.isTextual(), "field '%s' must be a string or null", field);
    return v.textValue();
  }

  private static long integer(JsonNode n, String field) {
    JsonNode v = required(n, field);
    checkArgument(
        v.isIntegralNumber() && v.canConvertToLong(), "field '%s' must be an integer", field);
    return v.longValue();
  }

  /** An integer field that may be absent or {@code null}: a result the client did not learn. */
  private static Long optionalInteger(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : integer(n, field);
  }

  private static boolean bool(JsonNode n, String field) {
    JsonNode v = required(n, field);
    checkArgument(v.isBoolean(), "field '%s' must be true or false", field);
    return v.booleanValue();
  }

  private static void putIfSet(ObjectNode n, String field, Long value) {
    if (value != null) {
      n.put(field, value);
    }
  }
}
