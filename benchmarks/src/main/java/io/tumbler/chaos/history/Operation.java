package io.tumbler.chaos.history;

import static com.google.common.base.Preconditions.checkArgument;

import io.tumbler.lockservice.lock.Sequencer;
import java.util.Locale;

/**
 * One client operation in a history: its {@code f} with the arguments it was invoked with and, on a
 * completion, the results it reported. An invoke carries only arguments; a completion repeats the
 * arguments (so that every line of a history file stands alone) and adds results. Result fields are
 * {@code null} until reported: an {@code ok} read with a {@code null} generation is a read that did
 * not say which generation it saw.
 *
 * <p>A {@code value} of {@code null} means empty contents: a Tumbler file holds bytes, and the
 * histories write distinct non-empty UTF-8 strings, so nothing is lost by that.
 */
public sealed interface Operation {

  /** The {@code f} field: which operation. */
  enum Kind {
    READ("read"),
    WRITE("write"),
    CAS("cas"),
    ACQUIRE("acquire"),
    RELEASE("release"),
    FENCED_WRITE("fenced-write");

    private final String jsonName;

    Kind(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }

    /** Whether this is an operation on a file treated as a register (read, write, cas). */
    public boolean onRegister() {
      return this == READ || this == WRITE || this == CAS;
    }

    /**
     * The kind named {@code name} in a history file.
     *
     * @throws IllegalArgumentException if there is none
     */
    public static Kind fromJson(String name) {
      for (Kind k : values()) {
        if (k.jsonName.equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "f must be read, write, cas, acquire, release or fenced-write, not '" + name + "'");
    }
  }

  Kind f();

  /** The file (read, write, cas), lock (acquire, release) or resource (fenced-write). */
  String key();

  /** This operation as invoked: the same arguments, every result cleared. */
  Operation call();

  /**
   * Checks that the results carried fit an event of {@code type}: none on an invoke, a fail or an
   * info (a rejected fenced write excepted: the resource still placed it in its order); those an ok
   * must report.
   *
   * @throws IllegalArgumentException if they do not
   */
  void checkResultsFit(EventType type);

  /** A short human-readable form, results included, for checker reports. */
  String describe();

  static Read read(String file) {
    return new Read(file, null, null);
  }

  static Write write(String file, String value) {
    return new Write(file, value, null);
  }

  static Cas cas(String file, long expectedGeneration, String value) {
    return new Cas(file, expectedGeneration, value, null, null);
  }

  static Acquire acquire(String lock) {
    return new Acquire(lock, null);
  }

  static Release release(String lock) {
    return new Release(lock);
  }

  static FencedWrite fencedWrite(String resource, Sequencer sequencer, String value) {
    return new FencedWrite(resource, sequencer, value, null);
  }

  /**
   * Reads a file's contents and content generation. Results: {@code value} (the contents) and
   * {@code generation}.
   */
  record Read(String key, String value, Long generation) implements Operation {

    public Read {
      checkKey(key);
      checkGeneration("generation", generation);
    }

    /** The completion of this read: it saw {@code value} at {@code generation}. */
    public Read returned(String value, Long generation) {
      return new Read(key, value, generation);
    }

    @Override
    public Kind f() {
      return Kind.READ;
    }

    @Override
    public Read call() {
      return new Read(key, null, null);
    }

    @Override
    public void checkResultsFit(EventType type) {
      if (type != EventType.OK) {
        checkArgument(
            value == null && generation == null, "a read reports value and generation only on ok");
      }
    }

    @Override
    public String describe() {
      if (generation == null && value == null) {
        return "read " + key;
      }
      return "read " + key + " -> " + quote(value) + (generation == null ? "" : " @" + generation);
    }
  }

  /**
   * Sets a file's contents unconditionally (SetContents without an expected generation). Result:
   * {@code generation}, the content generation the write produced, when the client learnt it.
   */
  record Write(String key, String value, Long generation) implements Operation {

    public Write {
      checkKey(key);
      checkGeneration("generation", generation);
    }

    /** The completion of this write: it produced {@code generation} (null if not reported). */
    public Write produced(Long generation) {
      return new Write(key, value, generation);
    }

    @Override
    public Kind f() {
      return Kind.WRITE;
    }

    @Override
    public Write call() {
      return new Write(key, value, null);
    }

    @Override
    public void checkResultsFit(EventType type) {
      if (type != EventType.OK) {
        checkArgument(generation == null, "a write reports its generation only on ok");
      }
    }

    @Override
    public String describe() {
      return "write " + key + " " + quote(value) + (generation == null ? "" : " -> @" + generation);
    }
  }

  /**
   * Compare-and-swap: SetContents with an expected content generation. It sets the contents iff the
   * file's generation equals {@code expectedGeneration}. An ok completion says which happened:
   * {@code succeeded} true (the contents were set; {@code generation} is then the one produced) or
   * false (the cell answered "generation mismatch": nothing was set, and {@code generation}, when
   * known, is the generation it found). A fail is for a call refused before it reached the file.
   */
  record Cas(String key, long expectedGeneration, String value, Boolean succeeded, Long generation)
      implements Operation {

    public Cas {
      checkKey(key);
      checkArgument(expectedGeneration >= 0, "expectedGeneration must be >= 0");
      checkGeneration("generation", generation);
    }

    /** The completion of a swap that took place, producing {@code generation} (null if unknown). */
    public Cas swapped(Long generation) {
      return new Cas(key, expectedGeneration, value, true, generation);
    }

    /** The completion of a mismatch: the file was at {@code generation} (null if unknown). */
    public Cas mismatched(Long generation) {
      return new Cas(key, expectedGeneration, value, false, generation);
    }

    @Override
    public Kind f() {
      return Kind.CAS;
    }

    @Override
    public Cas call() {
      return new Cas(key, expectedGeneration, value, null, null);
    }

    @Override
    public void checkResultsFit(EventType type) {
      if (type == EventType.OK) {
        checkArgument(succeeded != null, "an ok cas must say whether it succeeded");
      } else {
        checkArgument(
            succeeded == null && generation == null,
            "a cas reports succeeded and generation only on ok");
      }
    }

    @Override
    public String describe() {
      String call = "cas " + key + " @" + expectedGeneration + " " + quote(value);
      if (succeeded == null) {
        return call;
      }
      String at = generation == null ? "" : " @" + generation;
      return call + (succeeded ? " -> swapped" : " -> mismatch") + at;
    }
  }

  /** Acquires a lock, exclusively in the histories the harness writes. Result: its sequencer. */
  record Acquire(String key, Sequencer sequencer) implements Operation {

    public Acquire {
      checkKey(key);
    }

    /** The completion of this acquire: the lock is held, proven by {@code sequencer}. */
    public Acquire granted(Sequencer sequencer) {
      checkArgument(sequencer != null, "a granted lock has a sequencer");
      return new Acquire(key, sequencer);
    }

    @Override
    public Kind f() {
      return Kind.ACQUIRE;
    }

    @Override
    public Acquire call() {
      return new Acquire(key, null);
    }

    @Override
    public void checkResultsFit(EventType type) {
      if (type == EventType.OK) {
        checkArgument(sequencer != null, "an ok acquire must carry its sequencer");
      } else {
        checkArgument(sequencer == null, "an acquire carries a sequencer only on ok");
      }
    }

    @Override
    public String describe() {
      return "acquire " + key + (sequencer == null ? "" : " -> " + describeSequencer(sequencer));
    }

    static String describeSequencer(Sequencer s) {
      return s.mode().name().toLowerCase(Locale.ROOT)
          + " generation "
          + s.lockGeneration()
          + " of #"
          + s.instanceNumber();
    }
  }

  /** Releases a lock. No result. */
  record Release(String key) implements Operation {

    public Release {
      checkKey(key);
    }

    @Override
    public Kind f() {
      return Kind.RELEASE;
    }

    @Override
    public Release call() {
      return this;
    }

    @Override
    public void checkResultsFit(EventType type) {}

    @Override
    public String describe() {
      return "release " + key;
    }
  }

  /**
   * A write to a resource protected by a lock, carrying the writer's sequencer; {@code key} names
   * the resource. The resource accepts it (ok) or rejects it as stale (fail), and either way gives
   * it a place in its own order: {@code resourceOrder}, from 0, which the lock-safety checker uses.
   * An info fenced write (a resource that could not be asked) has no place.
   */
  record FencedWrite(String key, Sequencer sequencer, String value, Long resourceOrder)
      implements Operation {

    public FencedWrite {
      checkKey(key);
      checkArgument(sequencer != null, "a fenced write carries a sequencer");
      checkArgument(resourceOrder == null || resourceOrder >= 0, "resourceOrder must be >= 0");
    }

    /** The completion of this write: the resource decided on it at {@code resourceOrder}. */
    public FencedWrite decided(long resourceOrder) {
      return new FencedWrite(key, sequencer, value, resourceOrder);
    }

    @Override
    public Kind f() {
      return Kind.FENCED_WRITE;
    }

    @Override
    public FencedWrite call() {
      return new FencedWrite(key, sequencer, value, null);
    }

    @Override
    public void checkResultsFit(EventType type) {
      if (type == EventType.OK || type == EventType.FAIL) {
        checkArgument(
            resourceOrder != null, "an accepted or rejected fenced write carries resourceOrder");
      } else {
        checkArgument(resourceOrder == null, "resourceOrder is only for ok and fail");
      }
    }

    @Override
    public String describe() {
      return "fenced-write "
          + key
          + " "
          + quote(value)
          + " with "
          + Acquire.describeSequencer(sequencer)
          + (resourceOrder == null ? "" : " -> order " + resourceOrder);
    }
  }

  private static void checkKey(String key) {
    checkArgument(key != null && !key.isEmpty(), "key must be set");
  }

  private static void checkGeneration(String field, Long generation) {
    checkArgument(generation == null || generation >= 0, "%s must be >= 0", field);
  }

  private static String quote(String value) {
    return value == null ? "null" : '"' + value + '"';
  }
}
