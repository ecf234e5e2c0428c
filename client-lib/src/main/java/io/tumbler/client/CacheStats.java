package io.tumbler.client;

/**
 * How well the client's cache did: reads answered locally ({@code hits}) and reads that went to the
 * master ({@code misses}); {@code entries} is what it holds now.
 */
public record CacheStats(long hits, long misses, int entries) {}
