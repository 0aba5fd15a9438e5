package dev.jetway.gateway.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import dev.jetway.gateway.http.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A model server that costs next to nothing, so a benchmark measures the gateway: a fixed completion, or a stream
 * of {@code tokens} SSE events one every {@code intervalMicros}, plus a static vLLM {@code /metrics} page.
 */
final class BenchBackend implements AutoCloseable {

    private static final byte[] COMPLETION = ("{\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"created\":1,"
            + "\"model\":\"m\",\"choices\":[{\"index\":0,\"text\":\" ok\",\"finish_reason\":\"length\"}],"
            + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}").getBytes(StandardCharsets.UTF_8);
    private static final byte[] EVENT = ("data: {\"id\":\"cmpl-bench\",\"object\":\"text_completion\",\"choices\":"
            + "[{\"index\":0,\"text\":\" word\",\"finish_reason\":null}]}\n\n").getBytes(StandardCharsets.UTF_8);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] METRICS = ("vllm:num_requests_waiting{model_name=\"m\"} 0\n"
            + "vllm:num_requests_running{model_name=\"m\"} 0\nvllm:kv_cache_usage_perc{model_name=\"m\"} 0.1\n"
            + "vllm:cache_config_info{block_size=\"16\",num_gpu_blocks=\"100000\"} 1\n").getBytes(StandardCharsets.UTF_8);

    private final EventLoopGroup group;
    private final Channel channel;
    private final int tokens;
    private final long intervalMicros;
    /** While set, {@code /metrics} answers 500: a scrape blackout. */
    volatile boolean metricsDown;

    BenchBackend(int threads, int tokens, long intervalMicros) throws InterruptedException {
        this.tokens = tokens;
        this.intervalMicros = intervalMicros;
        Transport t = Transport.best();
        group = t.newGroup(threads, "bench-backend");
        channel = new ServerBootstrap().group(group).channel(t.serverChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20), new Handler());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri();
            if (path.equals("/metrics") && metricsDown) {
                FullHttpResponse down = full("text/plain", "down".getBytes(StandardCharsets.UTF_8));
                down.setStatus(HttpResponseStatus.INTERNAL_SERVER_ERROR);
                ctx.writeAndFlush(down);
            } else if (path.equals("/metrics")) {
                ctx.writeAndFlush(full("text/plain", METRICS));
            } else if (path.equals("/v1/models")) {
                ctx.writeAndFlush(full("application/json",
                        "{\"data\":[{\"id\":\"m\"}]}".getBytes(StandardCharsets.UTF_8)));
            } else if (tokens <= 0) {
                ctx.writeAndFlush(full("application/json", COMPLETION));
            } else {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
                HttpUtil.setTransferEncodingChunked(head, true);
                ctx.writeAndFlush(head);
                sendEvent(ctx, 0);
            }
        }

        private void sendEvent(ChannelHandlerContext ctx, int i) {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (i == tokens) {
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(DONE)));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return;
            }
            ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(EVENT)));
            ctx.executor().schedule(() -> sendEvent(ctx, i + 1), intervalMicros, TimeUnit.MICROSECONDS);
        }
    }

    private static FullHttpResponse full(String type, byte[] body) {
        ByteBuf buf = Unpooled.wrappedBuffer(body);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return r;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
