package io.tumbler.lockservice.command;

public record ChildEntry(String name, Stat stat) {}
