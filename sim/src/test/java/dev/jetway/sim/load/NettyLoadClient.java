package dev.jetway.sim.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * A lean streaming-completions client for the load driver: keep-alive connections per replica, one request at a
 * time on each, reading just enough of the SSE stream to note when the first chunk arrived and its response id.
 * Far cheaper per request than the JDK HttpClient, so the load generator leaves the CPU to the simulator.
 */
final class NettyLoadClient implements AutoCloseable {

    /** What one request saw. */
    interface Outcome {
        void completed(int status, String responseId, long firstChunkNanos);

        void failed(Throwable cause);
    }

    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ConcurrentLinkedQueue<Channel>[] idle;
    private final int[] ports;

    @SuppressWarnings("unchecked")
    NettyLoadClient(int[] ports, int threads) {
        boolean epoll = Epoll.isAvailable();
        this.ports = ports.clone();
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("load-client", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new StreamReader());
                    }
                });
        this.idle = new ConcurrentLinkedQueue[ports.length];
        for (int i = 0; i < ports.length; i++) {
            idle[i] = new ConcurrentLinkedQueue<>();
        }
    }

    /** Sends {@code body} to replica {@code replica}, on an idle connection or a new one. */
    void post(int replica, String path, byte[] body, Outcome outcome) {
        Channel channel = idle[replica].poll();
        if (channel != null && channel.isActive()) {
            send(channel, replica, path, body, outcome);
            return;
        }
        bootstrap.connect("127.0.0.1", ports[replica]).addListener(f -> {
            if (!f.isSuccess()) {
                outcome.failed(f.cause());
                return;
            }
            send(((io.netty.channel.ChannelFuture) f).channel(), replica, path, body, outcome);
        });
    }

    private void send(Channel channel, int replica, String path, byte[] body, Outcome outcome) {
        StreamReader reader = channel.pipeline().get(StreamReader.class);
        reader.begin(outcome, () -> idle[replica].add(channel));
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path,
                Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, "127.0.0.1")
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        channel.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                reader.fail(f.cause());
            }
        });
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Reads one response at a time: status, the first SSE data chunk, the end. */
    private static final class StreamReader extends SimpleChannelInboundHandler<HttpObject> {
        private Outcome outcome;
        private Runnable release;
        private int status;
        private String id;
        private long firstChunkNanos;

        void begin(Outcome next, Runnable onDone) {
            outcome = next;
            release = onDone;
            status = 0;
            id = null;
            firstChunkNanos = 0;
        }

        void fail(Throwable cause) {
            Outcome current = outcome;
            outcome = null;
            if (current != null) {
                current.failed(cause);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpResponse response) {
                status = response.status().code();
            }
            if (msg instanceof HttpContent content) {
                if (id == null && content.content().isReadable()) {
                    firstChunkNanos = System.nanoTime();
                    id = responseId(content.content());
                }
                if (msg instanceof LastHttpContent) {
                    Outcome current = outcome;
                    outcome = null;
                    release.run();
                    if (current != null) {
                        current.completed(status, id, firstChunkNanos);
                    }
                }
            }
        }

        private static String responseId(ByteBuf buf) {
            String text = buf.toString(StandardCharsets.UTF_8);
            int at = text.indexOf("\"id\":\"");
            return at < 0 ? null : text.substring(at + 6, text.indexOf('"', at + 6));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new IllegalStateException("connection closed"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause);
            ctx.close();
        }
    }
}
