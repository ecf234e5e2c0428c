package io.tumbler.chaos.durability;

import io.tumbler.chaos.history.Call;
import io.tumbler.chaos.history.EventType;
import io.tumbler.chaos.history.FinalValue;
import io.tumbler.chaos.history.History;
import io.tumbler.chaos.history.Operation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Checks that every write acknowledged ok is still visible in the final state, read once more after
 * every fault healed. Per file:
 *
 * <ul>
 *   <li>the final generation is at least the generation every acknowledged write reported;
 *   <li>it is at least the number of acknowledged writes (each added one to a file that started at
 *       generation 0), which catches losses even when writes did not report generations;
 *   <li>if one acknowledged write came after every other write that may have taken effect (ok or
 *       indeterminate, concurrent or later), the final value is its value.
 * </ul>
 *
 * A file missing from the final state is taken as absent (generation 0, no value). The count is a
 * lower bound: the most any one rule proves lost. Pure: no threads, no clock.
 */
public final class DurabilityChecker {

  public DurabilityResult check(History history, Map<String, FinalValue> finalState) {
    Map<String, List<Call>> writesByKey = new TreeMap<>();
    for (Call c : history.calls()) {
      if (mayHaveTakenEffect(c)) {
        writesByKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
      }
    }
    List<LostWrite> lost = new ArrayList<>();
    int acked = 0;
    for (Map.Entry<String, List<Call>> e : writesByKey.entrySet()) {
      String key = e.getKey();
      FinalValue last = finalState.getOrDefault(key, FinalValue.absent(key));
      List<Call> ackedWrites =
          e.getValue().stream().filter(DurabilityChecker::acknowledged).toList();
      acked += ackedWrites.size();
      lost.addAll(lostOnKey(key, e.getValue(), ackedWrites, last));
    }
    return new DurabilityResult(lost, acked);
  }

  private static List<LostWrite> lostOnKey(
      String key, List<Call> writes, List<Call> acked, FinalValue last) {
    Map<Call, String> lost = new LinkedHashMap<>();
    for (Call a : acked) {
      Long generation = producedGeneration(a);
      if (generation != null && generation > last.generation()) {
        lost.put(
            a,
            a.describe()
                + " was acknowledged at generation "
                + generation
                + ", but the final generation is "
                + last.generation());
      }
    }
    Call finalWrite = lastWrite(writes);
    if (finalWrite != null
        && acknowledged(finalWrite)
        && !Objects.equals(valueOf(finalWrite), last.value())) {
      lost.putIfAbsent(
          finalWrite,
          finalWrite.describe()
              + " came after every other write, but the final value is "
              + quote(last.value()));
    }
    List<LostWrite> found = new ArrayList<>();
    lost.values().forEach(d -> found.add(new LostWrite(key, 1, d)));
    long deficit = acked.size() - last.generation();
    if (deficit > lost.size()) {
      found.add(
          new LostWrite(
              key,
              (int) (deficit - lost.size()),
              acked.size()
                  + " writes were acknowledged, but the final generation is "
                  + last.generation()
                  + ": at least "
                  + deficit
                  + " of them were lost"
                  + (lost.isEmpty() ? "" : " (" + lost.size() + " named above)")));
    }
    return found;
  }

  /**
   * The write that came after every other write that may have taken effect, or {@code null} if none
   * did (the latest ones overlap). It must be the one invoked last: any other was invoked before
   * it, so did not end before it began.
   */
  private static Call lastWrite(List<Call> writes) {
    Call latest = null;
    for (Call c : writes) {
      if (latest == null || c.invokeIndex() > latest.invokeIndex()) {
        latest = c;
      }
    }
    for (Call c : writes) {
      if (c != latest && !c.precedes(latest)) {
        return null;
      }
    }
    return latest;
  }

  /** A write, or a cas that swapped or may have: anything that may have set the contents. */
  private static boolean mayHaveTakenEffect(Call c) {
    if (c.f() != Operation.Kind.WRITE && c.f() != Operation.Kind.CAS) {
      return false;
    }
    if (c.outcome() == EventType.INFO) {
      return true;
    }
    return acknowledged(c);
  }

  /** An ok write, or an ok cas that swapped. */
  private static boolean acknowledged(Call c) {
    if (c.outcome() != EventType.OK) {
      return false;
    }
    Operation op = c.completed();
    if (op instanceof Operation.Write) {
      return true;
    }
    return op instanceof Operation.Cas cas && cas.succeeded();
  }

  private static Long producedGeneration(Call c) {
    Operation op = c.completed();
    if (op instanceof Operation.Write w) {
      return w.generation();
    }
    return ((Operation.Cas) op).generation();
  }

  private static String valueOf(Call c) {
    Operation op = c.invoked();
    return op instanceof Operation.Write w ? w.value() : ((Operation.Cas) op).value();
  }

  private static String quote(String value) {
    return value == null ? "empty" : '"' + value + '"';
  }
}
