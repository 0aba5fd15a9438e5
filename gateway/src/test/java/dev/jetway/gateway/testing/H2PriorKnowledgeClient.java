package dev.jetway.gateway.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/2 client that opens with the connection preface (prior knowledge, which the JDK client cannot do) on one
 * connection, and lets a test open streams, read them or not, and reset them.
 */
public final class H2PriorKnowledgeClient implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel connection;
    private final int port;

    /** @param streamWindow how much response data one stream may receive before the client reads it */
    public H2PriorKnowledgeClient(int port, int streamWindow) throws InterruptedException {
        this.port = port;
        this.connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().initialWindowSize(streamWindow))
                                .build());
                        ch.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect(InetAddress.getLoopbackAddress(), port).sync().channel();
        // a stream the test leaves unread must not hold up the others through the shared connection window
        connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(64 * 1024 * 1024)).sync();
    }

    /** Opens a stream and sends a POST with a JSON body on it. */
    public Exchange post(String path, String json, Map<String, String> headers, boolean read)
            throws InterruptedException {
        Exchange exchange = new Exchange();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(exchange).open().sync().getNow();
        stream.config().setAutoRead(read);
        exchange.channel = stream;
        Http2Headers h = new DefaultHttp2Headers().method("POST").path(path).scheme("http")
                .authority("127.0.0.1:" + port).add("content-type", "application/json");
        headers.forEach(h::add);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        stream.write(new DefaultHttp2HeadersFrame(h, body.length == 0));
        if (body.length > 0) {
            stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
        }
        stream.flush();
        return exchange;
    }

    public boolean isOpen() {
        return connection.isActive();
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** One stream as the client sees it. */
    public static final class Exchange extends ChannelInboundHandlerAdapter {

        public final CompletableFuture<Http2Headers> headers = new CompletableFuture<>();
        /** Completes with true at the end of the stream, false when it was reset or closed early. */
        public final CompletableFuture<Boolean> ended = new CompletableFuture<>();
        public final AtomicInteger dataFrames = new AtomicInteger();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private volatile Http2StreamChannel channel;

        public synchronized String body() {
            return body.toString(StandardCharsets.UTF_8);
        }

        public int status() throws Exception {
            return Integer.parseInt(headers.get(10, TimeUnit.SECONDS).status().toString());
        }

        public String bodyWhenEnded() throws Exception {
            ended.get(10, TimeUnit.SECONDS);
            return body();
        }

        /** Resets the stream, as a client does when its user gives up on a response. */
        public void reset() {
            channel.close().awaitUninterruptibly();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                switch (msg) {
                    case Http2HeadersFrame f -> {
                        headers.complete(f.headers());
                        if (f.isEndStream()) {
                            ended.complete(true);
                        }
                    }
                    case Http2DataFrame f -> {
                        ByteBuf data = f.content();
                        synchronized (this) {
                            data.readBytes(body, data.readableBytes());
                        }
                        dataFrames.incrementAndGet();
                        if (f.isEndStream()) {
                            ended.complete(true);
                        }
                    }
                    case Http2ResetFrame f -> ended.complete(false);
                    default -> {
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame) {
                ended.complete(false);
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ended.complete(false);
            headers.completeExceptionally(new IllegalStateException("stream closed before its headers"));
        }
    }
}
