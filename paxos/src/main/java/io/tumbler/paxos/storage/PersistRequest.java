package io.tumbler.paxos.storage;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;

/**
 * Records to make durable, in order, as one group commit. When they are durable the driver calls
 * {@code Replica.onPersisted(now, token)}; tokens increase, and reporting one reports every earlier
 * one.
 */
public record PersistRequest(long token, List<StorageRecord> records) {

  public PersistRequest {
    checkArgument(token >= 1, "token must be >= 1, was %s", token);
    records = List.copyOf(records);
    checkArgument(!records.isEmpty(), "a persist request holds at least one record");
  }
}
