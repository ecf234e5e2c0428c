package io.tumbler.client.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.Message;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One TCP connection to one replica: sends frames and matches each answer to its request by
 * correlation id. When the connection closes, every request still waiting fails with {@link
 * ConnectionLostException}; nothing is retried here (the session decides what to resend).
 * Thread-safe.
 */
public final class CellConnection implements AutoCloseable {

  /** How long to wait for a TCP connection before trying another replica. */
  public static final int CONNECT_TIMEOUT_MILLIS = 3_000;

  private final Channel channel;
  private final String address;
  private final Executor delivery;
  private final AtomicLong nextCorrelation = new AtomicLong(1);
  private final Map<Long, CompletableFuture<Message>> waiting = new ConcurrentHashMap<>();

  private CellConnection(Channel channel, String address, Executor delivery) {
    this.channel = channel;
    this.address = address;
    this.delivery = delivery;
  }

  /**
   * Connects to {@code address} ({@code host:port}); answers complete on the network thread. The
   * future fails if it cannot connect.
   */
  public static CompletableFuture<CellConnection> open(
      EventLoopGroup group, String address, FrameCodec codec) {
    return open(group, address, codec, Runnable::run);
  }

  /**
   * Connects to {@code address}; answers (and failures) complete on {@code delivery}, one task
   * each, in the order they arrived. With a single-threaded {@code delivery} that also sends the
   * requests, whatever a caller chains onto an answer is in place before the answer can complete,
   * so answers are handled in arrival order: a cache filled from an answer is never filled after an
   * invalidation that arrived behind it.
   */
  public static CompletableFuture<CellConnection> open(
      EventLoopGroup group, String address, FrameCodec codec, Executor delivery) {
    return open(group, address, null, codec, delivery);
  }

  /**
   * As {@link #open(EventLoopGroup, String, FrameCodec, Executor)}, from the local address {@code
   * localAddress} (null: any). A load generator that holds more connections to one replica than one
   * source address has ephemeral ports spreads them over several loopback addresses.
   */
  public static CompletableFuture<CellConnection> open(
      EventLoopGroup group,
      String address,
      InetSocketAddress localAddress,
      FrameCodec codec,
      Executor delivery) {
    CompletableFuture<CellConnection> opened = new CompletableFuture<>();
    InetSocketAddress socket;
    try {
      var hostAndPort = com.google.common.net.HostAndPort.fromString(address);
      socket = new InetSocketAddress(hostAndPort.getHost(), hostAndPort.getPort());
    } catch (IllegalArgumentException e) {
      opened.completeExceptionally(e);
      return opened;
    }
    CellConnection[] self = new CellConnection[1];
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new Decoder(codec))
                        .addLast(new Encoder(codec))
                        .addLast(
                            new SimpleChannelInboundHandler<Frame>() {
                              @Override
                              protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
                                self[0].received(f);
                              }

                              @Override
                              public void channelInactive(ChannelHandlerContext ctx) {
                                self[0].failAll();
                              }

                              @Override
                              public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
                                ctx.close();
                              }
                            });
                  }
                });
    ChannelFuture connect =
        localAddress == null ? bootstrap.connect(socket) : bootstrap.connect(socket, localAddress);
    self[0] = new CellConnection(connect.channel(), address, delivery);
    connect.addListener(
        f -> {
          if (f.isSuccess()) {
            opened.complete(self[0]);
          } else {
            opened.completeExceptionally(
                new ConnectionLostException("cannot connect to " + address, f.cause()));
          }
        });
    return opened;
  }

  /** Sends {@code message}; the future completes with the answer or fails if the link drops. */
  public CompletableFuture<Message> request(Message message) {
    long correlation = nextCorrelation.getAndIncrement();
    CompletableFuture<Message> answer = new CompletableFuture<>();
    waiting.put(correlation, answer);
    if (!channel.isActive()) {
      failAll();
      return answer;
    }
    channel
        .writeAndFlush(new Frame(correlation, message))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                CompletableFuture<Message> lost = waiting.remove(correlation);
                if (lost != null) {
                  deliver(
                      () ->
                          lost.completeExceptionally(
                              new ConnectionLostException("cannot send to " + address, f.cause())));
                }
              }
            });
    return answer;
  }

  public String address() {
    return address;
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public void close() {
    channel.close();
  }

  private void received(Frame frame) {
    CompletableFuture<Message> answer = waiting.remove(frame.correlationId());
    if (answer != null) {
      deliver(() -> answer.complete(frame.message()));
    } else if (frame.message() instanceof Message.ProtocolError) {
      channel.close(); // the cell could not read what we sent; the link cannot be trusted
    }
  }

  private void failAll() {
    for (Long correlation : List.copyOf(waiting.keySet())) {
      CompletableFuture<Message> lost = waiting.remove(correlation);
      if (lost != null) {
        deliver(
            () ->
                lost.completeExceptionally(
                    new ConnectionLostException("connection to " + address + " lost")));
      }
    }
  }

  private void deliver(Runnable completion) {
    try {
      delivery.execute(completion);
    } catch (RejectedExecutionException closed) {
      completion.run(); // the session is gone; nobody orders its answers any more
    }
  }

  private static final class Decoder extends ByteToMessageDecoder {
    private final FrameCodec codec;

    Decoder(FrameCodec codec) {
      this.codec = codec;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      Frame frame;
      while ((frame = codec.decode(in)) != null) {
        out.add(frame);
      }
    }
  }

  private static final class Encoder extends MessageToByteEncoder<Frame> {
    private final FrameCodec codec;

    Encoder(FrameCodec codec) {
      super(Frame.class);
      this.codec = codec;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
      codec.encode(frame, out);
    }
  }
}
