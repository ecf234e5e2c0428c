package io.tumbler.chaos.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import io.tumbler.cell.peer.NettyTransport;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy in front of one server that can black-hole each direction on its own: the harness's
 * way to partition processes on loopback without root (docs/testing.md, "Partitions").
 *
 * <p>Every connection accepted is relayed to the server over a connection of its own. While a
 * direction is blocked, bytes travelling that way are read and thrown away, as a partitioned
 * network would lose them: the sender's writes succeed and vanish, and the receiver hears nothing.
 * A connection that lost bytes is <em>damaged</em>: from then on it forwards nothing either way,
 * and it is closed when the direction heals, the way a real TCP connection would time out or be
 * reset across a long partition. Forwarding it again would hand the receiver the rest of a
 * half-dropped frame. Connections opened while a direction is blocked are accepted and relayed as
 * usual; they become damaged as soon as something is sent the blocked way.
 *
 * <p>If the server is down, an accepted connection is closed at once, as a connection to a closed
 * port would be refused.
 */
public final class FaultProxy implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);

  static final int CONNECT_TIMEOUT_MS = 2_000;

  private final String name;
  private final InetSocketAddress listenAddress;
  private final InetSocketAddress serverAddress;
  private final EventLoopGroup group;
  private final Supplier<ChannelHandler> toClientFilter;
  private volatile boolean toServerBlocked;
  private volatile boolean toClientBlocked;
  private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
  private final AtomicLong droppedReads = new AtomicLong();
  private volatile Channel listening;

  /**
   * @param name for logs, e.g. {@code peer 1->2}
   * @param toClientFilter makes, per connection, a handler that sees the server's bytes before they
   *     are relayed to the client (it must pass on {@code ByteBuf}s), or null for none
   */
  public FaultProxy(
      String name,
      InetSocketAddress listenAddress,
      InetSocketAddress serverAddress,
      EventLoopGroup group,
      Supplier<ChannelHandler> toClientFilter) {
    this.name = name;
    this.listenAddress = listenAddress;
    this.serverAddress = serverAddress;
    this.group = group;
    this.toClientFilter = toClientFilter;
  }

  /** Starts listening. */
  public void start() throws InterruptedException {
    ServerBootstrap server =
        new ServerBootstrap()
            .group(group)
            .channel(NettyTransport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // Nothing is read from a client until its connection to the server is up.
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel client) {
                    accept(client);
                  }
                });
    listening = server.bind(listenAddress).sync().channel();
  }

  public String name() {
    return name;
  }

  public InetSocketAddress listenAddress() {
    return listenAddress;
  }

  /** Starts throwing away what travels {@code direction}. */
  public void block(Direction direction) {
    if (direction == Direction.TO_SERVER) {
      toServerBlocked = true;
    } else {
      toClientBlocked = true;
    }
  }

  /** Lets both directions through again, closing every damaged connection. */
  public void heal() {
    toServerBlocked = false;
    toClientBlocked = false;
    for (Pair pair : pairs) {
      if (pair.damaged) {
        pair.close();
      }
    }
  }

  public boolean blocked(Direction direction) {
    return direction == Direction.TO_SERVER ? toServerBlocked : toClientBlocked;
  }

  /** Reads thrown away so far (each a chunk of bytes, or a frame behind a filter). */
  public long droppedReads() {
    return droppedReads.get();
  }

  private void accept(Channel client) {
    Pair pair = new Pair(client);
    pairs.add(pair);
    client.closeFuture().addListener(done -> pair.close());
    client.pipeline().addLast(new Relay(pair, Direction.TO_SERVER));
    Bootstrap bootstrap =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(NettyTransport.clientChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
            .handler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel server) {
                    if (toClientFilter != null) {
                      server.pipeline().addLast(toClientFilter.get());
                    }
                    server.pipeline().addLast(new Relay(pair, Direction.TO_CLIENT));
                  }
                });
    ChannelFuture connecting = bootstrap.connect(serverAddress);
    pair.server = connecting.channel();
    connecting.addListener(
        (ChannelFutureListener)
            done -> {
              if (!done.isSuccess()) {
                pair.close(); // the server is down: refuse, as its closed port would
                return;
              }
              done.channel().closeFuture().addListener(closed -> pair.close());
              client.config().setAutoRead(true);
            });
  }

  /** One accepted connection and its relay to the server. */
  private final class Pair {
    final Channel client;
    volatile Channel server;
    volatile boolean damaged;

    Pair(Channel client) {
      this.client = client;
    }

    void close() {
      pairs.remove(this);
      client.close();
      Channel s = server;
      if (s != null) {
        s.close();
      }
    }
  }

  /** Relays what one side sends to the other, unless that direction is blocked. */
  private final class Relay extends ChannelInboundHandlerAdapter {
    private final Pair pair;
    private final Direction direction;

    Relay(Pair pair, Direction direction) {
      this.pair = pair;
      this.direction = direction;
    }

    private Channel target() {
      return direction == Direction.TO_SERVER ? pair.server : pair.client;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
      if (pair.damaged || blocked(direction)) {
        ReferenceCountUtil.release(message);
        droppedReads.incrementAndGet();
        if (!pair.damaged) {
          pair.damaged = true;
          log.debug("{}: dropping {} bytes; the connection is damaged", name, direction);
        }
        return;
      }
      Channel target = target();
      target.writeAndFlush(message).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
      if (!target.isWritable()) {
        // The other side reads slower than this one writes: stop reading until it catches up.
        context.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
      Channel source = target(); // the channel whose bytes are written to this one
      if (source != null) {
        source.config().setAutoRead(context.channel().isWritable());
      }
      context.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
      pair.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      log.debug("{}: closing a connection: {}", name, cause.toString());
      pair.close();
    }
  }

  @Override
  public void close() {
    Channel l = listening;
    if (l != null) {
      l.close().awaitUninterruptibly();
    }
    for (Pair pair : pairs) {
      pair.close();
    }
  }

  @Override
  public String toString() {
    return name
        + " "
        + listenAddress
        + " -> "
        + serverAddress
        + (toServerBlocked ? " [to server blocked]" : "")
        + (toClientBlocked ? " [to client blocked]" : "");
  }
}
