package dev.jetway.gateway.http;

import dev.jetway.gateway.metrics.ClientRefusal;
import dev.jetway.gateway.metrics.GatewayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections one port holds at once: up to the cap they are let in (and kept in {@link #channels()}, which the
 * drain walks); one more is answered {@code 503} and closed at once, so a flood of held-open connections can never
 * use up the process's file descriptors and starve new clients, the admin port, upstream connections or log files.
 * The first handler of every connection; it leaves the pipeline once the connection is let in.
 */
@ChannelHandler.Sharable
final class ConnectionBudget extends ChannelInboundHandlerAdapter {

    /** Descriptors kept for everything but client connections: jars, logs, epoll, listeners, scrapes, KV events. */
    static final int RESERVED_DESCRIPTORS = 512;
    /** The cap when the descriptor limit cannot be read (not a Unix JVM). */
    static final int FALLBACK_CAP = 10_000;

    private final int cap;
    private final ClientRefusal refusal;
    private final GatewayMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ChannelFutureListener release = f -> open.decrementAndGet();
    /** The plaintext 503 a refused connection gets, or null where it would not be read (a TLS port: just closed). */
    private final ByteBuf refusalResponse;
    private volatile boolean draining;

    ConnectionBudget(int cap, ClientRefusal refusal, GatewayMetrics metrics) {
        this(cap, refusal, metrics, true);
    }

    /** @param answer whether a refused connection gets a plaintext 503 before it is closed (not on a TLS port) */
    ConnectionBudget(int cap, ClientRefusal refusal, GatewayMetrics metrics, boolean answer) {
        this.cap = cap;
        this.refusal = refusal;
        this.metrics = metrics;
        byte[] body = new OpenAiError(503, "service_unavailable", "the gateway holds as many connections as it "
                + "takes (" + cap + "); retry shortly", null, "too_many_connections", null).toJson();
        String head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: "
                + body.length + "\r\nretry-after: 1\r\nconnection: close\r\n\r\n";
        this.refusalResponse = !answer ? null : Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
                head.getBytes(StandardCharsets.US_ASCII), body).asReadOnly());
    }

    /**
     * The API port's cap when {@code server.maxConnections} is 0: half of what the descriptor limit leaves after
     * {@link #RESERVED_DESCRIPTORS} and the admin port's budget, since a client connection with a request in flight
     * also holds a connection to a model server.
     */
    static int defaultCap(int adminBudget) {
        long limit = descriptorLimit();
        if (limit <= 0) {
            return FALLBACK_CAP;
        }
        long cap = (limit - RESERVED_DESCRIPTORS - adminBudget) / 2;
        return (int) Math.max(64, Math.min(Integer.MAX_VALUE, cap));
    }

    /** The process's descriptor limit (the JVM raises the soft limit to the hard one at start), or -1. */
    static long descriptorLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return -1;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (open.incrementAndGet() > cap) {
            open.decrementAndGet();
            metrics.clientRefused(refusal);
            if (refusalResponse == null) {
                ctx.close();
            } else {
                ctx.writeAndFlush(refusalResponse.duplicate()).addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        Channel ch = ctx.channel();
        ch.closeFuture().addListener(release);
        channels.add(ch);
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
        if (draining) {
            // accepted just before the listener closed, after the drain told the others
            ch.pipeline().fireUserEventTriggered(DrainEvent.START);
        }
    }

    /** The port drains: a connection that still becomes active is told at once. */
    void drain() {
        draining = true;
    }

    /** The cap. */
    int cap() {
        return cap;
    }

    /** Connections let in and still open. */
    int open() {
        return open.get();
    }

    /** The connections let in and still open (closed ones leave by themselves). */
    ChannelGroup channels() {
        return channels;
    }
}
