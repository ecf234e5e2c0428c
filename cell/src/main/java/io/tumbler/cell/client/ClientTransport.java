package io.tumbler.cell.client;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tumbler.cell.peer.NettyTransport;
import io.tumbler.lockservice.command.ErrorCode;
import io.tumbler.lockservice.command.Result;
import io.tumbler.lockservice.protocol.Frame;
import io.tumbler.lockservice.protocol.FrameCodec;
import io.tumbler.lockservice.protocol.FrameError;
import io.tumbler.lockservice.protocol.FrameException;
import io.tumbler.lockservice.protocol.Message;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves clients over TCP: one {@link ClientConnection} per accepted connection, frames decoded
 * with the lock service's {@link FrameCodec} and handed to a {@link ClientFrameHandler} on the
 * connection's event loop.
 *
 * <p>A frame that cannot be decoded is answered with a {@code ProtocolError} (under its correlation
 * id if the header was readable, else 0), logged once, and its connection closed: after a bad frame
 * the byte stream cannot be trusted. Oversized frames are refused from their length prefix, before
 * their bodies arrive. Other clients are not affected.
 *
 * <p>Memory per client is bounded both ways. Inbound, a connection buffers at most one frame. Out,
 * a client that does not read its answers is first stopped from sending more (reading pauses above
 * {@link #WRITE_BUFFER_HIGH_WATER_BYTES} queued and resumes below {@link
 * #WRITE_BUFFER_LOW_WATER_BYTES}); if what is queued for it still grows past {@link
 * #maxQueuedBytesPerConnection}, it is closed. At most {@code maxConnections} are open at once;
 * beyond that, new connections are closed as they arrive.
 */
public final class ClientTransport implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ClientTransport.class);

  /** Bytes queued for a client above which we stop reading its requests. */
  public static final int WRITE_BUFFER_HIGH_WATER_BYTES = 4 * 1024 * 1024;

  /** Bytes queued for a client below which we read its requests again. */
  public static final int WRITE_BUFFER_LOW_WATER_BYTES = 1024 * 1024;

  /**
   * Bytes queued for one client beyond which it is closed, when that is more than two frames: a
   * client this far behind has stopped reading, and its answers would only pile up.
   */
  public static final int MAX_QUEUED_BYTES_PER_CONNECTION = 32 * 1024 * 1024;

  /** At most one log line per this interval about connections refused for the limit. */
  public static final long REFUSAL_LOG_INTERVAL_MS = 10_000;

  /** Unique connection ids for the life of the process, across transports. */
  private static final AtomicLong NEXT_CONNECTION_ID = new AtomicLong(1);

  private final InetSocketAddress bindAddress;
  private final FrameCodec codec;
  private final ClientFrameHandler handler;
  private final EventLoopGroup group;
  private final int maxConnections;
  private final long maxQueuedBytesPerConnection;
  private final ChannelGroup channels;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong refusedSinceLog = new AtomicLong();
  private final AtomicLong lastRefusalLogNanos = new AtomicLong(System.nanoTime() - logInterval());
  private volatile Channel serverChannel;

  /**
   * @param group the event loops that own the connections; the caller shuts it down
   */
  public ClientTransport(
      InetSocketAddress bindAddress,
      FrameCodec codec,
      ClientFrameHandler handler,
      EventLoopGroup group,
      int maxConnections) {
    checkArgument(maxConnections >= 1, "maxConnections must be >= 1, was %s", maxConnections);
    this.bindAddress = bindAddress;
    this.codec = codec;
    this.handler = handler;
    this.group = group;
    this.maxConnections = maxConnections;
    this.maxQueuedBytesPerConnection =
        Math.max(MAX_QUEUED_BYTES_PER_CONNECTION, 2L * codec.maxFrameBytes());
    this.channels = new DefaultChannelGroup("clients", group.next());
  }

  /** Starts listening. */
  public void start() throws InterruptedException {
    checkState(serverChannel == null, "already started");
    ServerBootstrap server =
        new ServerBootstrap()
            .group(group)
            .channel(NettyTransport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(
                    WRITE_BUFFER_LOW_WATER_BYTES, WRITE_BUFFER_HIGH_WATER_BYTES))
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    accept(channel);
                  }
                });
    serverChannel = server.bind(bindAddress).sync().channel();
    log.info("serving clients on {}", serverChannel.localAddress());
  }

  /** Where it listens; with port 0 in the bind address, the port chosen. */
  public InetSocketAddress localAddress() {
    checkState(serverChannel != null, "not started");
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Client connections open now. */
  public int openConnections() {
    return open.get();
  }

  /** Connections closed on arrival because {@code maxConnections} were open. */
  public long refusedConnections() {
    return refused.get();
  }

  /** Stops accepting connections; those open stay open. */
  public void stopAccepting() {
    Channel server = serverChannel;
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
  }

  /** Stops accepting and closes every client connection (their handlers see them close). */
  @Override
  public void close() {
    stopAccepting();
    channels.close().awaitUninterruptibly();
  }

  private void accept(Channel channel) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refused.incrementAndGet();
      logRefusal(channel.remoteAddress());
      channel.close();
      return;
    }
    channels.add(channel);
    Connection connection = new Connection(channel);
    channel.pipeline().addLast(new Decoder(connection), new Lifecycle(connection));
  }

  private void logRefusal(SocketAddress remote) {
    refusedSinceLog.incrementAndGet();
    long now = System.nanoTime();
    long last = lastRefusalLogNanos.get();
    if (now - last >= logInterval() && lastRefusalLogNanos.compareAndSet(last, now)) {
      log.warn(
          "refused {} client connection(s) in the last {} ms (latest from {}): the limit of {}"
              + " open connections (maxClientConnections) is reached",
          refusedSinceLog.getAndSet(0),
          REFUSAL_LOG_INTERVAL_MS,
          remote,
          maxConnections);
    }
  }

  private static long logInterval() {
    return TimeUnit.MILLISECONDS.toNanos(REFUSAL_LOG_INTERVAL_MS);
  }

  /** One client's connection. Its channel's event loop does every write, in the order sent. */
  private final class Connection implements ClientConnection {
    private final long id = NEXT_CONNECTION_ID.getAndIncrement();
    private final Channel channel;
    private final String remoteHost;

    /** Event loop only: a flush is already queued behind the writes of this burst. */
    private boolean flushQueued;

    Connection(Channel channel) {
      this.channel = channel;
      SocketAddress remote = channel.remoteAddress();
      this.remoteHost =
          remote instanceof InetSocketAddress inet && inet.getAddress() != null
              ? inet.getAddress().getHostAddress()
              : String.valueOf(remote);
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public String remoteHost() {
      return remoteHost;
    }

    @Override
    public void send(Frame frame) {
      if (channel.eventLoop().inEventLoop()) {
        write(frame);
      } else {
        channel.eventLoop().execute(() -> write(frame));
      }
    }

    @Override
    public void close() {
      // Queued behind earlier sends, so what was sent before is written first.
      channel
          .eventLoop()
          .execute(
              () ->
                  channel
                      .writeAndFlush(Unpooled.EMPTY_BUFFER)
                      .addListener(ChannelFutureListener.CLOSE));
    }

    @Override
    public boolean isOpen() {
      return channel.isOpen();
    }

    /** Encodes and writes one frame; event loop only. */
    private void write(Frame frame) {
      if (!channel.isActive()) {
        return;
      }
      ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
      if (queued != null && queued.totalPendingWriteBytes() > maxQueuedBytesPerConnection) {
        log.warn(
            "closing client connection {} from {}: it does not read its answers ({} bytes queued)",
            id,
            channel.remoteAddress(),
            queued.totalPendingWriteBytes());
        channel.close();
        return;
      }
      ByteBuf bytes = encode(frame);
      if (bytes == null) {
        return;
      }
      channel.write(bytes, channel.voidPromise());
      if (!flushQueued) {
        // One flush (one system call) for every frame written in this burst of tasks.
        flushQueued = true;
        channel
            .eventLoop()
            .execute(
                () -> {
                  flushQueued = false;
                  channel.flush();
                });
      }
    }

    private ByteBuf encode(Frame frame) {
      ByteBuf out = channel.alloc().ioBuffer();
      try {
        codec.encode(frame, out);
        return out;
      } catch (FrameException e) {
        // The master built an answer too big for a frame: a bug, but the client still gets an
        // answer it can act on rather than waiting for one that never comes.
        out.clear();
        log.error("client connection {}: cannot send {}: {}", id, frame.message().type(), e);
        if (frame.message() instanceof Message.Response) {
          codec.encode(
              new Frame(
                  frame.correlationId(),
                  new Message.Response(
                      new Result.Failure(
                          ErrorCode.LIMIT_EXCEEDED, "the answer exceeds the maximum frame size"))),
              out);
          return out;
        }
        out.release();
        channel.close();
        return null;
      } catch (RuntimeException e) {
        out.release();
        throw e;
      }
    }

    @Override
    public String toString() {
      return "client connection " + id + " from " + channel.remoteAddress();
    }
  }

  /**
   * Frames out of the byte stream. On the first bad frame it answers and closes, and ignores
   * whatever else arrives on that connection.
   */
  private final class Decoder extends ByteToMessageDecoder {
    private final Connection connection;
    private boolean failed;

    Decoder(Connection connection) {
      this.connection = connection;
    }

    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
      if (failed) {
        in.skipBytes(in.readableBytes());
        return;
      }
      Frame frame;
      try {
        frame = codec.decode(in);
      } catch (FrameException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        refuse(context, e.error(), e.getMessage(), e.correlationId());
        return;
      }
      if (frame != null) {
        out.add(frame);
      }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext context, ByteBuf in, List<Object> out)
        throws Exception {
      super.decodeLast(context, in, out);
      if (!failed && in.isReadable()) {
        // The client went away inside a frame: nobody is left to answer.
        log.warn(
            "client connection {} from {} closed inside a frame: {}, {} bytes of it arrived",
            connection.id,
            context.channel().remoteAddress(),
            FrameError.TRUNCATED,
            in.readableBytes());
        in.skipBytes(in.readableBytes());
      }
    }

    /**
     * Answers with a ProtocolError — under the refused request's correlation id when its header
     * could be read, so the client learns which request it was — and closes the connection.
     */
    private void refuse(
        ChannelHandlerContext context, FrameError error, String detail, long correlationId) {
      log.warn(
          "closing client connection {} from {}: {}",
          connection.id,
          context.channel().remoteAddress(),
          detail);
      Frame answer = new Frame(correlationId, new Message.ProtocolError(error, detail));
      ByteBuf bytes = context.alloc().ioBuffer();
      codec.encode(answer, bytes);
      context.channel().writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Hands frames to the handler and tells it when the connection ends. */
  private final class Lifecycle extends io.netty.channel.ChannelInboundHandlerAdapter {
    private final Connection connection;

    Lifecycle(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
      handler.onFrame(connection, (Frame) message);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
      // A client that does not read its answers may not send more requests meanwhile.
      context.channel().config().setAutoRead(context.channel().isWritable());
      context.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
      open.decrementAndGet();
      handler.onClosed(connection);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      if (cause instanceof IOException) {
        // Reset by the peer and the like: routine for a client that died.
        log.debug("client connection {} failed: {}", connection.id, cause.toString());
      } else {
        log.warn("client connection {} failed; closing it", connection.id, cause);
      }
      context.close();
    }
  }
}
