package io.tumbler.lockservice.command;

/** An event for one handle of one session. */
public record EventDelivery(long session, long handle, Event event) {}
