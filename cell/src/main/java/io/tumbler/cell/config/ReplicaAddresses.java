package io.tumbler.cell.config;

/**
 * Where one replica listens. Each is {@code host:port}.
 *
 * @param id the replica's id, unique in the cell
 * @param peer Paxos traffic between replicas
 * @param client client sessions
 * @param admin the HTTP status page, metrics and health
 */
public record ReplicaAddresses(int id, String peer, String client, String admin) {}
