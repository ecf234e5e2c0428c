package io.tumbler.chaos.durability;

/**
 * Acknowledged writes that the final state does not show.
 *
 * @param key the file
 * @param count how many acknowledged writes this accounts for
 * @param description which, and how the final state contradicts them
 */
public record LostWrite(String key, int count, String description) {

  @Override
  public String toString() {
    return "key " + key + ": " + description;
  }
}
