package io.tumbler.bench.etcd;

import static com.google.common.base.Preconditions.checkState;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.tumbler.bench.driver.Driver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Driver} on etcd v3 through jetcd (gRPC): keys are {@code /bench/<key>}, written with a
 * plain put (etcd fsyncs its WAL on a quorum before it acknowledges) and read with a default,
 * linearizable get (a ReadIndex round through the leader). Locks are etcd's own Lock service (the
 * {@code v3lock} API, what {@code etcdctl lock} uses) under {@code /bench-locks/<lock>}, owned by
 * one lease per driver: the lease is etcd's session, granted at {@link #connect} with the same 10 s
 * lifetime as ZooKeeper's session timeout in {@code ZooKeeperDriver}, and kept alive by jetcd until
 * {@link #close} revokes it, which also frees every lock the driver still holds.
 *
 * <p>One jetcd {@link Client} per driver, so each benchmark session has its own connection(s) as it
 * has with the other systems. jetcd's defaults otherwise: its round-robin balancing spreads a
 * driver's calls over all members, as etcd's Go client does (a follower forwards a put to the
 * leader and asks it for a read index before a get). Calls block on jetcd's futures with generous
 * timeouts: a call that does not answer in time is an error of the run, not a hang.
 */
public final class EtcdDriver implements Driver {

  private static final Logger log = LoggerFactory.getLogger(EtcdDriver.class);

  static final String KEYS_PREFIX = "/bench/";
  static final String LOCKS_PREFIX = "/bench-locks/";

  /** The lease's time to live: a driver that stops renewing loses its locks after this. */
  static final long LEASE_TTL_SECONDS = 10;

  /** How long {@link #connect} waits for the lease grant (the first call reaching the cluster). */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

  /** How long a put, get, unlock or revoke may take. */
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  /** How long {@link #acquire} waits, queued behind other holders of the lock. */
  static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(60);

  private final Map<String, ByteSequence> heldLockKeys = new HashMap<>();
  private Client client;
  private long leaseId;
  private CloseableClient keepAlive;
  private volatile Throwable keepAliveFailure;
  private volatile boolean closing;

  @Override
  public void connect(List<String> addresses) throws Exception {
    checkState(client == null, "already connected");
    client =
        Client.builder()
            .endpoints(addresses.stream().map(a -> "http://" + a).toArray(String[]::new))
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    try {
      leaseId = await(client.getLeaseClient().grant(LEASE_TTL_SECONDS), CONNECT_TIMEOUT).getID();
      keepAlive = client.getLeaseClient().keepAlive(leaseId, new KeepAliveObserver());
    } catch (Exception e) {
      client.close();
      client = null;
      throw e;
    }
  }

  @Override
  public void write(String key, byte[] value) throws Exception {
    await(client().getKVClient().put(key(key), ByteSequence.from(value)), CALL_TIMEOUT);
  }

  @Override
  public byte[] read(String key) throws Exception {
    // Stated, though it is the default: a serializable get would be answered locally, maybe stale.
    GetOption linearizable = GetOption.builder().withSerializable(false).build();
    GetResponse r = await(client().getKVClient().get(key(key), linearizable), CALL_TIMEOUT);
    List<KeyValue> kvs = r.getKvs();
    checkState(!kvs.isEmpty(), "no key %s%s in etcd", KEYS_PREFIX, key);
    return kvs.get(0).getValue().getBytes();
  }

  /**
   * Waits in etcd's queue for {@code lock}. If this times out, etcd may still grant the lock to
   * this driver's lease later; it is then held until {@link #close} revokes the lease.
   */
  @Override
  public void acquire(String lock) throws Exception {
    String name = Driver.checkName(lock);
    checkState(!heldLockKeys.containsKey(name), "lock %s is already held by this driver", name);
    Throwable lost = keepAliveFailure;
    checkState(lost == null, "the lease of this driver is lost: %s", lost);
    ByteSequence lockName = ByteSequence.from(LOCKS_PREFIX + name, StandardCharsets.UTF_8);
    ByteSequence ownerKey =
        await(client().getLockClient().lock(lockName, leaseId), ACQUIRE_TIMEOUT).getKey();
    heldLockKeys.put(name, ownerKey);
  }

  @Override
  public void release(String lock) throws Exception {
    ByteSequence ownerKey = heldLockKeys.remove(Driver.checkName(lock));
    checkState(ownerKey != null, "lock %s is not held by this driver", lock);
    await(client().getLockClient().unlock(ownerKey), CALL_TIMEOUT);
  }

  /** Stops renewing the lease, revokes it (freeing any lock still held) and closes the client. */
  @Override
  public void close() {
    if (client == null) {
      return;
    }
    closing = true;
    try {
      keepAlive.close();
      await(client.getLeaseClient().revoke(leaseId), CALL_TIMEOUT);
    } catch (Exception e) {
      // The lease then expires on its own within LEASE_TTL_SECONDS.
      log.warn("could not revoke etcd lease {}: {}", Long.toHexString(leaseId), e.toString());
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    } finally {
      heldLockKeys.clear();
      client.close();
      client = null;
    }
  }

  private Client client() {
    checkState(client != null, "not connected");
    return client;
  }

  private static ByteSequence key(String key) {
    return ByteSequence.from(KEYS_PREFIX + Driver.checkName(key), StandardCharsets.UTF_8);
  }

  /**
   * The future's value within {@code timeout}; on failure, the cause jetcd reported (so a benchmark
   * error names etcd's error, not the future's wrapper).
   */
  private static <T> T await(CompletableFuture<T> call, Duration timeout) throws Exception {
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception) {
        throw (Exception) e.getCause();
      }
      throw e;
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new TimeoutException("etcd did not answer within " + timeout);
    }
  }

  /** Notes a broken keep-alive (the lease will expire) so that the next acquire fails clearly. */
  private final class KeepAliveObserver implements StreamObserver<LeaseKeepAliveResponse> {
    @Override
    public void onNext(LeaseKeepAliveResponse response) {}

    @Override
    public void onError(Throwable t) {
      keepAliveFailure = t;
      log.warn("keep-alive of etcd lease {} failed: {}", Long.toHexString(leaseId), t.toString());
    }

    @Override
    public void onCompleted() {
      // jetcd completes the stream when the lease is gone: revoked by close, or expired.
      if (!closing) {
        onError(new IllegalStateException("the lease expired"));
      }
    }
  }
}
