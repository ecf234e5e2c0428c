package io.tumbler.bench.suite;

/**
 * How long each run lasts.
 *
 * @param warmupSeconds unmeasured load first, so JIT compilers and caches settle
 * @param seconds measured load
 * @param failoverSeconds how long writers keep going after the leader was killed
 */
record Timing(int warmupSeconds, int seconds, int failoverSeconds) {}
