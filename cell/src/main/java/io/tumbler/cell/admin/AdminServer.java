package io.tumbler.cell.admin;

import static com.google.common.base.Preconditions.checkState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.tumbler.cell.admin.CellView.AdminUnavailable;
import io.tumbler.cell.peer.NettyTransport;
import io.tumbler.lockservice.InvalidNameException;
import io.tumbler.lockservice.NodePath;
import io.tumbler.lockservice.statemachine.LockServiceStateMachine.Inspection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's admin HTTP endpoint, on its own event loop so that a slow scrape or a busy page
 * never delays clients or peers:
 *
 * <ul>
 *   <li>{@code /health}: 200 with a JSON status while the replica is in service (see {@link
 *       Health}), 503 with the same JSON plus {@code failure} otherwise;
 *   <li>{@code /metrics}: every metric in the Prometheus text format;
 *   <li>{@code /}: the status page, and with {@code ?path=/ls/<cell>/...} the tree browser.
 * </ul>
 *
 * Anything else is 404; methods other than GET are 405. The page shows file contents to whoever can
 * reach the port, whatever the ACLs say: bind the admin address to a network only operators reach.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** Admin connections open at once; more are closed as they arrive. */
  public static final int MAX_CONNECTIONS = 64;

  /** A connection that sends nothing for this long is closed. */
  public static final int IDLE_TIMEOUT_SECONDS = 60;

  /** Largest request accepted (request line, headers and body). GETs carry no body. */
  public static final int MAX_REQUEST_BYTES = 16 * 1024;

  private static final String HTML_TYPE = "text/html; charset=utf-8";
  private static final String JSON_TYPE = "application/json";
  private static final String TEXT_TYPE = "text/plain; charset=utf-8";

  private final InetSocketAddress bindAddress;
  private final CellView view;
  private final PrometheusMetrics metrics;
  private final EventLoopGroup group = NettyTransport.newEventLoopGroup(1);
  private final ChannelGroup channels = new DefaultChannelGroup("admin", group.next());
  private final AtomicInteger open = new AtomicInteger();
  private final ObjectMapper json = new ObjectMapper();
  private volatile Channel serverChannel;

  public AdminServer(InetSocketAddress bindAddress, CellView view, PrometheusMetrics metrics) {
    this.bindAddress = bindAddress;
    this.view = view;
    this.metrics = metrics;
  }

  public void start() throws InterruptedException {
    checkState(serverChannel == null, "already started");
    ServerBootstrap server =
        new ServerBootstrap()
            .group(group)
            .channel(NettyTransport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<>() {
                  @Override
                  protected void initChannel(Channel channel) {
                    if (open.incrementAndGet() > MAX_CONNECTIONS) {
                      open.decrementAndGet();
                      log.warn(
                          "refused admin connection from {}: {} are open",
                          channel.remoteAddress(),
                          MAX_CONNECTIONS);
                      channel.close();
                      return;
                    }
                    channel.closeFuture().addListener(closed -> open.decrementAndGet());
                    channels.add(channel);
                    channel
                        .pipeline()
                        .addLast(
                            new IdleStateHandler(0, 0, IDLE_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                            new HttpServerCodec(),
                            new HttpObjectAggregator(MAX_REQUEST_BYTES),
                            new Handler());
                  }
                });
    serverChannel = server.bind(bindAddress).sync().channel();
    log.info("admin pages on http://{}/", hostAndPort(localAddress()));
  }

  public InetSocketAddress localAddress() {
    checkState(serverChannel != null, "not started");
    return (InetSocketAddress) serverChannel.localAddress();
  }

  @Override
  public void close() {
    Channel server = serverChannel;
    if (server != null) {
      server.close().awaitUninterruptibly();
    }
    channels.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  private static String hostAndPort(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (!request.decoderResult().isSuccess()) {
        respond(context, false, HttpResponseStatus.BAD_REQUEST, TEXT_TYPE, "bad request\n");
        return;
      }
      if (!HttpMethod.GET.equals(request.method())) {
        FullHttpResponse response =
            response(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT_TYPE, "only GET is served here\n");
        response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
        send(context, keepAlive, response);
        return;
      }
      QueryStringDecoder uri = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8);
      switch (uri.path()) {
        case "/health" -> health(context, keepAlive);
        case "/metrics" -> metrics(context, keepAlive);
        case "/" -> page(context, keepAlive, uri);
        default ->
            respond(context, keepAlive, HttpResponseStatus.NOT_FOUND, TEXT_TYPE, "no such page\n");
      }
    }

    private void health(ChannelHandlerContext context, boolean keepAlive) {
      Health health = Health.of(view.replica(), view.service());
      String body;
      try {
        body = json.writeValueAsString(health.body()) + "\n";
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write the health report", e);
      }
      respond(
          context,
          keepAlive,
          health.healthy() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
          JSON_TYPE,
          body);
    }

    private void metrics(ChannelHandlerContext context, boolean keepAlive) {
      ByteBuf body = context.alloc().buffer();
      try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
        metrics.writeTo(out);
      } catch (IOException | RuntimeException e) {
        body.release();
        log.error("cannot write metrics", e);
        respond(
            context,
            keepAlive,
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            TEXT_TYPE,
            "cannot write metrics\n");
        return;
      }
      send(context, keepAlive, response(HttpResponseStatus.OK, metrics.contentType(), body));
    }

    private void page(ChannelHandlerContext context, boolean keepAlive, QueryStringDecoder uri) {
      List<String> paths = uri.parameters().get("path");
      if (paths == null || paths.isEmpty() || paths.get(0).isEmpty()) {
        html(context, keepAlive, HttpResponseStatus.OK, new StatusPage.NothingAsked());
        return;
      }
      String path = paths.get(0);
      try {
        NodePath.parse(path, view.config().limits());
      } catch (InvalidNameException e) {
        html(
            context,
            keepAlive,
            HttpResponseStatus.BAD_REQUEST,
            new StatusPage.Problem(path, "not a valid name: " + e.getMessage()));
        return;
      }
      view.browse(path)
          .whenComplete((listing, failure) -> browsed(context, keepAlive, path, listing, failure));
    }

    private void browsed(
        ChannelHandlerContext context,
        boolean keepAlive,
        String path,
        Optional<Inspection> listing,
        Throwable failure) {
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      if (cause instanceof AdminUnavailable unavailable) {
        html(
            context,
            keepAlive,
            HttpResponseStatus.SERVICE_UNAVAILABLE,
            new StatusPage.Problem(path, unavailable.getMessage()));
      } else if (cause != null) {
        log.warn("admin: browsing {} failed", path, cause);
        html(
            context,
            keepAlive,
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            new StatusPage.Problem(path, "cannot be shown: " + cause));
      } else if (listing.isEmpty()) {
        html(
            context,
            keepAlive,
            HttpResponseStatus.NOT_FOUND,
            new StatusPage.Problem(path, "no such node"));
      } else {
        html(context, keepAlive, HttpResponseStatus.OK, new StatusPage.Found(listing.get()));
      }
    }

    private void html(
        ChannelHandlerContext context,
        boolean keepAlive,
        HttpResponseStatus status,
        StatusPage.Browse browse) {
      respond(context, keepAlive, status, HTML_TYPE, StatusPage.render(view, browse));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
      if (event instanceof IdleStateEvent) {
        context.close();
      } else {
        super.userEventTriggered(context, event);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
      if (cause instanceof IOException) {
        log.debug("admin connection failed: {}", cause.toString());
      } else {
        log.warn("admin connection failed; closing it", cause);
      }
      context.close();
    }
  }

  private static void respond(
      ChannelHandlerContext context,
      boolean keepAlive,
      HttpResponseStatus status,
      String contentType,
      String body) {
    send(
        context,
        keepAlive,
        response(status, contentType, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
  }

  private static FullHttpResponse response(
      HttpResponseStatus status, String contentType, String body) {
    return response(status, contentType, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
  }

  private static FullHttpResponse response(
      HttpResponseStatus status, String contentType, ByteBuf body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return response;
  }

  /** Sends {@code response}; any thread. */
  private static void send(
      ChannelHandlerContext context, boolean keepAlive, FullHttpResponse response) {
    HttpUtil.setContentLength(response, response.content().readableBytes());
    if (keepAlive) {
      HttpUtil.setKeepAlive(response, true);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ChannelFuture written = context.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
