package io.tumbler.cell.master;

import static com.google.common.base.Preconditions.checkArgument;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.command.Command;
import io.tumbler.lockservice.command.CommandCodec;
import io.tumbler.lockservice.command.WireReader;
import io.tumbler.lockservice.command.WireWriter;

/**
 * A lock-service command as the master puts it into a Paxos slot, tagged with the epoch of the
 * mastership that proposed it and a number unique within that mastership, so that when it is
 * applied that master can find the client waiting for its result. Epochs are unique per mastership,
 * so a tag never matches a request of another master, or of this replica's own earlier mastership.
 *
 * <p>Wire form: {@code u8 version, i64 epoch, i64 tag, Command} (lockservice {@link CommandCodec}).
 */
record TaggedCommand(long epoch, long tag, Command command) {

  static final int VERSION = 1;

  TaggedCommand {
    checkArgument(command != null, "command must be set");
  }

  /** Encodes and decodes; stateless. */
  static final class Codec {
    private final CommandCodec commands;

    Codec(Limits limits) {
      this.commands = new CommandCodec(limits);
    }

    io.tumbler.paxos.Command encode(TaggedCommand tagged) {
      ByteBuf buf = Unpooled.buffer(64);
      try {
        WireWriter w = new WireWriter(buf);
        w.writeByte(VERSION).writeLong(tagged.epoch()).writeLong(tagged.tag());
        commands.writeCommand(w, tagged.command());
        return new io.tumbler.paxos.Command(ByteBufUtil.getBytes(buf));
      } finally {
        buf.release();
      }
    }

    /**
     * Decodes a chosen command. Only a master writes these, so a malformed one means the log is
     * damaged or written by incompatible code: the caller must stop rather than guess.
     */
    TaggedCommand decode(io.tumbler.paxos.Command command) {
      WireReader r = new WireReader(Unpooled.wrappedBuffer(command.bytes()));
      int version = r.readUnsignedByte("version");
      if (version != VERSION) {
        throw new IllegalStateException("log entry of version " + version + ", not " + VERSION);
      }
      long epoch = r.readLong("epoch");
      long tag = r.readLong("tag");
      Command decoded = commands.readCommand(r);
      if (r.buffer().isReadable()) {
        throw new IllegalStateException(r.buffer().readableBytes() + " bytes after a log entry");
      }
      return new TaggedCommand(epoch, tag, decoded);
    }
  }
}
