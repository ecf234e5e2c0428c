package io.tumbler.cell.peer;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** Netty's native epoll transport where the platform has it, NIO elsewhere. */
public final class NettyTransport {

  private NettyTransport() {}

  public static boolean nativeEpoll() {
    return Epoll.isAvailable();
  }

  public static EventLoopGroup newEventLoopGroup(int threads) {
    IoHandlerFactory handlers =
        nativeEpoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, handlers);
  }

  public static Class<? extends ServerChannel> serverChannel() {
    return nativeEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public static Class<? extends Channel> clientChannel() {
    return nativeEpoll() ? EpollSocketChannel.class : NioSocketChannel.class;
  }
}
