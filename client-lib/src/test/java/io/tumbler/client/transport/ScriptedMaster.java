package io.tumbler.client.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.tumbler.lockservice.Limits;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.Message;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A master played by the test: a loopback server that hands every frame a client sends to the test,
 * which answers each as it chooses and when it chooses. Lets a test put a session through exact
 * orders of answers — a late answer of an older master, a notice of a newer one — that a real cell
 * produces only by chance.
 */
final class ScriptedMaster implements AutoCloseable {

  /** How long {@link #expect} waits for the client's next frame of a kind. */
  static final long EXPECT_TIMEOUT_SECONDS = 30;

  /** One frame the client sent, and the way to answer it. */
  record Received(Channel channel, Frame frame) {
    Message message() {
      return frame.message();
    }

    void reply(Message answer) {
      channel.writeAndFlush(new Frame(frame.correlationId(), answer));
    }
  }

  private final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final FrameCodec codec = new FrameCodec(Limits.DEFAULTS);
  private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
  private final List<Received> putAside = new ArrayList<>();
  private final Channel server;

  ScriptedMaster() throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            new ByteToMessageDecoder() {
                              @Override
                              protected void decode(
                                  ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
                                Frame f;
                                while ((f = codec.decode(in)) != null) {
                                  out.add(f);
                                }
                              }
                            })
                        .addLast(
                            new MessageToByteEncoder<Frame>(Frame.class) {
                              @Override
                              protected void encode(
                                  ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
                                codec.encode(frame, out);
                              }
                            })
                        .addLast(
                            new SimpleChannelInboundHandler<Frame>() {
                              @Override
                              protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
                                inbox.add(new Received(ctx.channel(), f));
                              }
                            });
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
  }

  String address() {
    return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
  }

  /**
   * The client's next frame carrying a {@code type}; frames of other kinds that come first are put
   * aside for later calls, in order.
   */
  Received expect(Class<? extends Message> type) throws InterruptedException {
    for (Iterator<Received> it = putAside.iterator(); it.hasNext(); ) {
      Received r = it.next();
      if (type.isInstance(r.message())) {
        it.remove();
        return r;
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(EXPECT_TIMEOUT_SECONDS);
    while (true) {
      Received r = inbox.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (r == null) {
        throw new AssertionError(
            "the client sent no " + type.getSimpleName() + "; aside: " + putAside);
      }
      if (type.isInstance(r.message())) {
        return r;
      }
      putAside.add(r);
    }
  }

  @Override
  public void close() {
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
