package io.tumbler.cell.peer;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableMap;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.tumbler.lockservice.protocol.FrameException;
import io.tumbler.paxos.message.Envelope;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries Paxos messages between replicas over TCP, one frame per message ({@link PeerCodec}).
 *
 * <p>Each replica opens one outbound connection to every other replica and only sends on it; it
 * only receives on connections others opened to it. Delivery is best effort, as Paxos assumes: a
 * message for a peer whose connection is backed up past {@link #MAX_PENDING_BYTES_PER_PEER}, or
 * that cannot be reached, is dropped, and the core resends what matters. While a link is being
 * (re)opened, up to {@link #MAX_QUEUED_WHILE_CONNECTING} messages wait for it and are sent once it
 * is up; if it fails they are dropped. A failed connection is retried on the next send after {@link
 * #RECONNECT_DELAY_MS}.
 *
 * <p>A TCP connection can look open long after its far end is gone (a partition, or a process whose
 * socket was never closed), and writes to it vanish. So a link is also re-opened when its peer has
 * sent nothing on any connection for {@link #PEER_SILENCE_RESET_MS} while we kept sending: a live
 * peer answers the master within a heartbeat, and between followers a needless reconnect costs one
 * handshake.
 *
 * <p>Inbound messages are handed to {@code inbound} on a Netty thread; it must only enqueue.
 */
public final class PeerTransport implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);

  /** Bytes queued for one peer before further messages to it are dropped. */
  public static final int MAX_PENDING_BYTES_PER_PEER = 8 * 1024 * 1024;

  public static final long RECONNECT_DELAY_MS = 200;

  /** Messages held for a peer while its link is being opened; more are dropped. */
  public static final int MAX_QUEUED_WHILE_CONNECTING = 1024;

  /** Silence from a peer after which our link to it is re-opened; see the class comment. */
  public static final long PEER_SILENCE_RESET_MS = 3_000;

  public static final int CONNECT_TIMEOUT_MS = 2000;

  private final int selfId;
  private final InetSocketAddress bindAddress;
  private final PeerCodec codec;
  private final Consumer<Envelope> inbound;
  private final EventLoopGroup group;
  private final Map<Integer, Link> links;
  private final ChannelGroup accepted;
  private Channel serverChannel;

  /** One peer's outbound connection; its channel is replaced when it is lost. */
  private static final class Link {
    final int peerId;
    final InetSocketAddress address;
    volatile Channel channel;
    volatile long connectedAtNanos;
    volatile long lastHeardNanos = System.nanoTime();
    final AtomicBoolean connecting = new AtomicBoolean();
    final Queue<Envelope> waiting = new ConcurrentLinkedQueue<>();
    final AtomicInteger waitingCount = new AtomicInteger();
    volatile long nextAttemptNanos;
    volatile boolean loggedDown;

    Link(int peerId, InetSocketAddress address) {
      this.peerId = peerId;
      this.address = address;
    }
  }

  /**
   * @param replicas every replica's peer address, this one's included
   */
  public PeerTransport(
      int selfId,
      Map<Integer, InetSocketAddress> replicas,
      PeerCodec codec,
      EventLoopGroup group,
      Consumer<Envelope> inbound) {
    checkArgument(replicas.containsKey(selfId), "replica %s is not among %s", selfId, replicas);
    this.selfId = selfId;
    this.bindAddress = replicas.get(selfId);
    this.codec = codec;
    this.group = group;
    this.inbound = inbound;
    ImmutableMap.Builder<Integer, Link> builder = ImmutableMap.builder();
    replicas.forEach(
        (id, address) -> {
          if (id != selfId) {
            builder.put(id, new Link(id, address));
          }
        });
    this.links = builder.build();
    this.accepted = new DefaultChannelGroup("peers-of-" + selfId, group.next());
  }

  /** Starts listening for peers. */
  public void start() throws InterruptedException {
    ServerBootstrap server =
        new ServerBootstrap()
            .group(group)
            .channel(NettyTransport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    accepted.add(channel);
                    channel.pipeline().addLast(new Decoder(), new Receiver());
                  }
                });
    serverChannel = server.bind(bindAddress).sync().channel();
    log.info("replica {} listening for peers on {}", selfId, bindAddress);
  }

  /** Sends, or drops if the peer cannot take it now. Any thread. */
  public void send(Envelope envelope) {
    Link link = links.get(envelope.to());
    checkArgument(link != null, "no peer %s", envelope.to());
    Channel channel = link.channel;
    if (channel == null || !channel.isActive()) {
      sendOnceConnected(link, envelope);
      return;
    }
    long now = System.nanoTime();
    long silence = TimeUnit.MILLISECONDS.toNanos(PEER_SILENCE_RESET_MS);
    if (now - link.lastHeardNanos > silence && now - link.connectedAtNanos > silence) {
      log.info(
          "replica {} re-opens its link to peer {}: silent for over {} ms",
          selfId,
          link.peerId,
          PEER_SILENCE_RESET_MS);
      link.channel = null;
      channel.close();
      link.nextAttemptNanos = 0; // re-open now, not after a back-off: nothing failed
      sendOnceConnected(link, envelope);
      return;
    }
    flushWaiting(link, channel);
    if (!channel.isWritable()) {
      return; // backed up: the core resends what matters
    }
    channel.writeAndFlush(envelope, channel.voidPromise());
  }

  private static void hold(Link link, Envelope envelope) {
    if (link.waitingCount.incrementAndGet() <= MAX_QUEUED_WHILE_CONNECTING) {
      link.waiting.add(envelope);
    } else {
      link.waitingCount.decrementAndGet();
    }
  }

  /** Sends what waited for the link, in order. Safe from any thread; each message goes once. */
  private static void flushWaiting(Link link, Channel channel) {
    Envelope next;
    while ((next = link.waiting.poll()) != null) {
      link.waitingCount.decrementAndGet();
      channel.write(next, channel.voidPromise());
    }
    channel.flush();
  }

  private static void dropWaiting(Link link) {
    while (link.waiting.poll() != null) {
      link.waitingCount.decrementAndGet();
    }
  }

  /**
   * Holds the message for a connection attempt in flight, starting one if none is and the back-off
   * allows; during the back-off after a failed attempt the message is dropped, so a long outage
   * leaves no backlog of stale messages.
   */
  private void sendOnceConnected(Link link, Envelope envelope) {
    if (link.connecting.get()) {
      hold(link, envelope);
      return;
    }
    if (System.nanoTime() < link.nextAttemptNanos || !link.connecting.compareAndSet(false, true)) {
      return;
    }
    hold(link, envelope);
    connect(link);
  }

  /** Opens the link; the caller has set {@code link.connecting}. */
  private void connect(Link link) {
    link.nextAttemptNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECONNECT_DELAY_MS);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NettyTransport.clientChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(
                    MAX_PENDING_BYTES_PER_PEER / 2, MAX_PENDING_BYTES_PER_PEER))
            .handler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    channel.pipeline().addLast(new Encoder());
                  }
                });
    ChannelFuture future = bootstrap.connect(link.address);
    future.addListener(
        done -> {
          link.connecting.set(false);
          if (done.isSuccess()) {
            link.connectedAtNanos = System.nanoTime();
            link.channel = future.channel();
            flushWaiting(link, future.channel());
            link.loggedDown = false;
            log.info("replica {} connected to peer {} at {}", selfId, link.peerId, link.address);
          } else {
            dropWaiting(link); // the core resends what matters; stale messages would only mislead
          }
          if (!done.isSuccess() && !link.loggedDown) {
            link.loggedDown = true;
            log.warn(
                "replica {} cannot reach peer {} at {}: {}",
                selfId,
                link.peerId,
                link.address,
                done.cause().toString());
          }
        });
  }

  @Override
  public void close() {
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly();
    }
    // Closing the listening socket leaves accepted connections open; a peer would keep writing
    // into them.
    accepted.close().awaitUninterruptibly();
    for (Link link : links.values()) {
      Channel channel = link.channel;
      if (channel != null) {
        channel.close().awaitUninterruptibly();
      }
    }
  }

  private final class Encoder extends MessageToByteEncoder<Envelope> {
    Encoder() {
      super(Envelope.class);
    }

    @Override
    protected void encode(ChannelHandlerContext context, Envelope envelope, ByteBuf out) {
      try {
        codec.encode(envelope, out);
      } catch (FrameException e) {
        // Only an oversized message gets here; dropping it beats closing a healthy link.
        log.error("replica {} dropped a message to {}: {}", selfId, envelope.to(), e.getMessage());
      }
    }
  }

  private final class Decoder extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext context, ByteBuf in, List<Object> out) {
      Envelope envelope = codec.decode(in);
      if (envelope != null) {
        out.add(envelope);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      log.warn(
          "replica {} closes peer connection from {}: {}",
          selfId,
          context.channel().remoteAddress(),
          cause.getCause() instanceof FrameException ? cause.getCause().getMessage() : cause);
      context.close();
    }
  }

  private final class Receiver extends SimpleChannelInboundHandler<Envelope> {
    @Override
    protected void channelRead0(ChannelHandlerContext context, Envelope envelope) {
      if (envelope.to() != selfId || !links.containsKey(envelope.from())) {
        log.warn(
            "replica {} closes peer connection from {}: message from {} to {}",
            selfId,
            context.channel().remoteAddress(),
            envelope.from(),
            envelope.to());
        context.close();
        return;
      }
      links.get(envelope.from()).lastHeardNanos = System.nanoTime();
      inbound.accept(envelope);
    }
  }
}
