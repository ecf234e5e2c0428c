package io.tumbler.client;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.tumbler.client.transport.CellConnection;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Asks every listed replica, in parallel and without opening a session, who it believes the master
 * is ({@code FindMaster}). What an operator's {@code tumbler status} shows, and a quick check that
 * a cell is up.
 */
public final class CellProbe {

  private CellProbe() {}

  /**
   * One replica's answer.
   *
   * @param address the replica asked
   * @param master the master it names; empty if it knows none or did not answer
   * @param epoch the epoch it reports; 0 if it did not answer
   * @param members the cell's client addresses as it knows them; empty if it did not answer
   * @param error why it did not answer; empty if it did
   */
  public record ReplicaAnswer(
      String address, String master, long epoch, List<String> members, Optional<String> error) {
    public ReplicaAnswer {
      members = ImmutableList.copyOf(members);
    }

    public boolean reachable() {
      return error.isEmpty();
    }
  }

  /**
   * Every replica's answer, and what they add up to.
   *
   * @param master the master named by the answer with the highest epoch; empty if none names one
   * @param epoch that answer's epoch
   * @param members every client address any replica listed, and every address asked
   */
  public record CellStatus(
      String master, long epoch, Set<String> members, List<ReplicaAnswer> replicas) {
    public CellStatus {
      members = ImmutableSet.copyOf(members);
      replicas = ImmutableList.copyOf(replicas);
    }

    public boolean hasMaster() {
      return !master.isEmpty();
    }

    public boolean anyReachable() {
      return replicas.stream().anyMatch(ReplicaAnswer::reachable);
    }
  }

  /** Asks each of {@code cell}'s replicas; waits at most {@code timeout} for all answers. */
  public static CellStatus probe(CellAddresses cell, Duration timeout) {
    checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive");
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    FrameCodec codec = new FrameCodec(Limits.DEFAULTS);
    try {
      List<CompletableFuture<ReplicaAnswer>> asked = new ArrayList<>();
      for (var replica : cell.replicas()) {
        String address = replica.toString();
        asked.add(
            ask(group, codec, address)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> failed(address, e)));
      }
      List<ReplicaAnswer> answers = asked.stream().map(CompletableFuture::join).toList();
      ReplicaAnswer best = null;
      Set<String> members = new LinkedHashSet<>();
      for (ReplicaAnswer a : answers) {
        members.add(a.address());
        members.addAll(a.members());
        if (!a.master().isEmpty() && (best == null || a.epoch() > best.epoch())) {
          best = a;
        }
      }
      return new CellStatus(
          best == null ? "" : best.master(), best == null ? 0 : best.epoch(), members, answers);
    } finally {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }
  }

  private static CompletableFuture<ReplicaAnswer> ask(
      EventLoopGroup group, FrameCodec codec, String address) {
    return CellConnection.open(group, address, codec)
        .thenCompose(
            connection ->
                connection
                    .request(new Message.FindMaster())
                    .whenComplete((answer, failure) -> connection.close()))
        .thenApply(
            answer -> {
              if (answer instanceof Message.MasterLocation l) {
                return new ReplicaAnswer(
                    address, l.master(), l.epoch(), l.replicas(), Optional.empty());
              }
              return new ReplicaAnswer(
                  address, "", 0, List.of(), Optional.of("unexpected answer: " + answer));
            });
  }

  private static ReplicaAnswer failed(String address, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    String why;
    if (cause instanceof TimeoutException) {
      why = "no answer in time";
    } else {
      why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
      if (cause.getCause() != null && cause.getCause().getMessage() != null) {
        why += ": " + cause.getCause().getMessage();
      }
    }
    return new ReplicaAnswer(address, "", 0, List.of(), Optional.of(why));
  }
}
