package io.tumbler.chaos.linearizability;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The configurations the search has already entered: (set of linearized operations, state). A
 * configuration seen once has been explored from (or is being explored on the current path), so
 * meeting it again can only fail the same way: Lowe's memoization, which is what keeps the search
 * from being exponential in the usual case.
 *
 * <p>The set is a bitset; a key stores only its words between the leading all-ones words (the
 * definite operations long since linearized) and the trailing zero words, plus the count of leading
 * ones, which is canonical for a given set.
 */
final class SearchMemo {

  private final Set<Key> seen = new HashSet<>();
  private final Key probe = new Key();

  /**
   * Records the configuration ({@code words}, {@code value}, {@code generation}).
   *
   * @return whether it is new
   */
  boolean add(long[] words, int value, long generation) {
    int from = 0;
    while (from < words.length && words[from] == -1L) {
      from++;
    }
    int to = words.length;
    while (to > from && words[to - 1] == 0L) {
      to--;
    }
    probe.set(words, from, to, from, value, generation);
    if (seen.contains(probe)) {
      return false;
    }
    Key stored = new Key();
    stored.set(Arrays.copyOfRange(words, from, to), 0, to - from, from, value, generation);
    seen.add(stored);
    return true;
  }

  int size() {
    return seen.size();
  }

  /** A slice of a bitset's words with the state; the probe's slice is of the live bitset. */
  private static final class Key {
    private long[] words;
    private int start;
    private int end;
    private int fullWords;
    private int value;
    private long generation;
    private int hash;

    void set(long[] words, int start, int end, int fullWords, int value, long generation) {
      this.words = words;
      this.start = start;
      this.end = end;
      this.fullWords = fullWords;
      this.value = value;
      this.generation = generation;
      int h = 31 * fullWords + value;
      h = 31 * h + Long.hashCode(generation);
      for (int i = start; i < end; i++) {
        h = 31 * h + Long.hashCode(words[i]);
      }
      this.hash = h;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key k)) {
        return false;
      }
      return hash == k.hash
          && fullWords == k.fullWords
          && value == k.value
          && generation == k.generation
          && Arrays.equals(words, start, end, k.words, k.start, k.end);
    }
  }
}
