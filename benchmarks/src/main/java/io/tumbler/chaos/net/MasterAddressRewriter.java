package io.tumbler.chaos.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.LengthPrefixedFrames;
import io.tumbler.lockservice.protocol.Message;
import io.tumbler.lockservice.protocol.MessageType;
import java.util.List;
import java.util.Map;

/**
 * Sits on a client proxy's server side and rewrites the replica addresses in the two answers that
 * carry them ({@code MasterLocation}, {@code Redirect}) from each replica's real client address to
 * its proxy's, so that a client never leaves the proxies.
 *
 * <p>Why it is needed: every replica's YAML may name the <em>other</em> replicas by their proxies,
 * but its own entry must be its real listen address, and a master asked where the master is names
 * itself by that entry. A client that asked through the proxy would then open its next connection
 * straight to the master, around the proxy, and a partition would no longer cut it. (A NAT's
 * application-level gateway does the same for FTP's PORT command.)
 *
 * <p>Every other frame passes unchanged, as the bytes that came; frames are split by their length
 * prefix only, so a frame this side cannot parse is still relayed and left for the client to
 * refuse.
 */
final class MasterAddressRewriter extends ByteToMessageDecoder {

  /** Offset of the type byte in a frame's body (after the length prefix): after the version. */
  private static final int TYPE_OFFSET = 1;

  private final Map<String, String> proxyByRealAddress;
  private final FrameCodec codec = new FrameCodec(Limits.DEFAULTS);

  /**
   * @param proxyByRealAddress each replica's real client address ({@code host:port}) and its
   *     proxy's
   */
  MasterAddressRewriter(Map<String, String> proxyByRealAddress) {
    this.proxyByRealAddress = Map.copyOf(proxyByRealAddress);
  }

  @Override
  protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
    while (true) {
      int start = in.readerIndex();
      ByteBuf body = LengthPrefixedFrames.next(in, codec.maxFrameBytes(), FrameCodec.HEADER_BYTES);
      if (body == null) {
        return;
      }
      int frameBytes = LengthPrefixedFrames.LENGTH_BYTES + body.readableBytes();
      MessageType type =
          MessageType.fromCode(body.getUnsignedByte(body.readerIndex() + TYPE_OFFSET));
      if (type == MessageType.MASTER_LOCATION || type == MessageType.REDIRECT) {
        out.add(rewrite(context, in.slice(start, frameBytes)));
      } else {
        out.add(in.retainedSlice(start, frameBytes));
      }
    }
  }

  private ByteBuf rewrite(ChannelHandlerContext context, ByteBuf frameBytes) {
    Frame frame;
    try {
      frame = codec.decodeExactlyOne(frameBytes.duplicate());
    } catch (RuntimeException e) {
      return frameBytes.retain(); // not ours to judge: the client refuses it
    }
    Message rewritten = rewrite(frame.message());
    ByteBuf encoded = context.alloc().buffer(frameBytes.readableBytes() + 64);
    codec.encode(new Frame(frame.correlationId(), rewritten), encoded);
    return encoded;
  }

  Message rewrite(Message message) {
    if (message instanceof Message.MasterLocation m) {
      return new Message.MasterLocation(
          proxied(m.master()), m.epoch(), m.replicas().stream().map(this::proxied).toList());
    }
    if (message instanceof Message.Redirect r) {
      return new Message.Redirect(r.reason(), proxied(r.master()), r.epoch());
    }
    return message;
  }

  private String proxied(String address) {
    return proxyByRealAddress.getOrDefault(address, address);
  }
}
