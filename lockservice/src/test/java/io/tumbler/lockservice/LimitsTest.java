package io.tumbler.lockservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LimitsTest {

  private static Limits withFrame(int maxFrameBytes) {
    Limits d = Limits.DEFAULTS;
    return new Limits(
        d.maxComponentBytes(),
        d.maxDepth(),
        d.maxPathBytes(),
        d.maxFileBytes(),
        d.maxHandlesPerSession(),
        d.maxEphemeralHandlesPerSession(),
        d.maxReadDirEntries(),
        d.maxTransactionOps(),
        d.maxTransactionContentBytes(),
        d.maxUnackedRequestsPerSession(),
        d.lockDelayMsMax(),
        d.lockDelayMsDefault(),
        d.maxPrincipalBytes(),
        maxFrameBytes);
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    assertThat(Limits.DEFAULTS.maxFileBytes()).isEqualTo(256 * 1024);
    assertThat(Limits.DEFAULTS.lockDelayMsMax()).isEqualTo(60_000);
    assertThat(Limits.DEFAULTS.lockDelayMsDefault()).isEqualTo(60_000);
  }

  @Test
  void aFrameMustHoldTheLargestPayload() {
    assertThatThrownBy(() -> withFrame(Limits.DEFAULT_MAX_FILE_BYTES))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxFrameBytes");
    assertThat(withFrame(2 * 1024 * 1024).maxFrameBytes()).isEqualTo(2 * 1024 * 1024);
  }

  @Test
  void growingTheFileLimitGrowsTheFrame() {
    Limits big = Limits.DEFAULTS.withMaxFileBytes(8 * 1024 * 1024);
    assertThat(big.maxFrameBytes()).isGreaterThan(8 * 1024 * 1024);
    assertThat(big.maxTransactionContentBytes()).isGreaterThanOrEqualTo(8 * 1024 * 1024);
  }
}
