package io.tumbler.cell.peer;

import io.tumbler.paxos.message.Message;

/** The wire code of each Paxos message. Codes are fixed forever; new messages take new codes. */
public enum PeerMessageType {
  PREPARE(1),
  PROMISE(2),
  REJECT(3),
  ACCEPT(4),
  ACCEPTED(5),
  HEARTBEAT(6),
  HEARTBEAT_ACK(7),
  CATCH_UP_REQUEST(8),
  CATCH_UP_REPLY(9),
  SNAPSHOT_CHUNK_REQUEST(10),
  SNAPSHOT_CHUNK(11),
  PROMISE_VOTES_REQUEST(12),
  PROMISE_VOTES(13);

  private final int code;

  PeerMessageType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type of a code, or null for a code this build does not know. */
  public static PeerMessageType fromCode(int code) {
    for (PeerMessageType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    return null;
  }

  public static PeerMessageType of(Message message) {
    if (message instanceof Message.Prepare) {
      return PREPARE;
    } else if (message instanceof Message.Promise) {
      return PROMISE;
    } else if (message instanceof Message.Reject) {
      return REJECT;
    } else if (message instanceof Message.Accept) {
      return ACCEPT;
    } else if (message instanceof Message.Accepted) {
      return ACCEPTED;
    } else if (message instanceof Message.Heartbeat) {
      return HEARTBEAT;
    } else if (message instanceof Message.HeartbeatAck) {
      return HEARTBEAT_ACK;
    } else if (message instanceof Message.CatchUpRequest) {
      return CATCH_UP_REQUEST;
    } else if (message instanceof Message.CatchUpReply) {
      return CATCH_UP_REPLY;
    } else if (message instanceof Message.SnapshotChunkRequest) {
      return SNAPSHOT_CHUNK_REQUEST;
    } else if (message instanceof Message.SnapshotChunk) {
      return SNAPSHOT_CHUNK;
    } else if (message instanceof Message.PromiseVotesRequest) {
      return PROMISE_VOTES_REQUEST;
    } else if (message instanceof Message.PromiseVotes) {
      return PROMISE_VOTES;
    }
    throw new AssertionError("unknown peer message " + message);
  }
}
