package dev.jetway.gateway.http;

import dev.jetway.gateway.metrics.ClientRefusal;
import dev.jetway.gateway.metrics.GatewayMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A request head (request line and headers) must arrive whole within {@code server.headerReadTimeout}, counted from
 * the connection's start for its first request and from the first byte of each later one, however slowly the bytes
 * trickle: a slowloris client, whose byte a second would reset any idle timeout, gets a {@code 408} and is closed.
 * The time between requests on a kept-alive connection is the idle timeout's business, not this one's.
 *
 * <p>Two handlers share the state: this one after the HTTP/1 decoder sees heads and request ends, its {@link
 * #bytes()} companion before the decoder sees the raw bytes that start the clock. Both leave when the connection
 * turns HTTP/2.
 */
final class HeadReadDeadline extends ChannelInboundHandlerAdapter {

    static final String NAME = "head-deadline";
    static final String BYTES_NAME = "head-deadline-bytes";

    private final long timeoutNanos;
    private final Duration timeout;
    private final GatewayMetrics metrics;
    private final ChannelInboundHandlerAdapter bytes = new FirstBytes();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean awaitingHead = true;

    HeadReadDeadline(Duration timeout, GatewayMetrics metrics) {
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.metrics = metrics;
    }

    /** The companion that goes first in the pipeline, before the HTTP decoder. */
    ChannelInboundHandlerAdapter bytes() {
        return bytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
        if (ctx.pipeline().context(bytes) != null) {
            ctx.pipeline().remove(bytes);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            awaitingHead = false;
            cancel();
        }
        if (msg instanceof LastHttpContent) {
            // the next request's clock starts with its first byte
            awaitingHead = true;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    private void start() {
        if (timer == null && awaitingHead && ctx != null) {
            timer = ctx.executor().schedule(this::expired, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (!awaitingHead || !ctx.channel().isActive()) {
            return;
        }
        metrics.clientRefused(ClientRefusal.HEAD_TIMEOUT);
        Responses.error(ctx, OpenAiError.headTimeout(timeout), false);
    }

    /** Starts the clock: at the connection's start, and at the first byte read while a head is awaited. */
    private final class FirstBytes extends ChannelInboundHandlerAdapter {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            start();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            start();
            ctx.fireChannelRead(msg);
        }
    }
}
