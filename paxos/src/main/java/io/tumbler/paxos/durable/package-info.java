/**
 * Durable storage for a replica, on the local file system: the snapshot files (and, later, the
 * Chronicle Queue log). Unlike the pure Paxos core, classes here do I/O; the core never calls them,
 * its driver does.
 */
package io.tumbler.paxos.durable;
