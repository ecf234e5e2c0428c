package io.tumbler.lockservice.statemachine;

import com.google.common.hash.Hashing;

final class Checksums {
  private Checksums() {}

  /** FarmHash's fingerprint: documented never to change, so stored checksums stay comparable. */
  static long contents(byte[] contents) {
    return Hashing.farmHashFingerprint64().hashBytes(contents).asLong();
  }
}
